import { describe, expect, it } from 'vitest';
import { createRateWindows } from './rate-windows.ts';

const LIMITS = {
  events: { perSecond: 5, perMinute: 12 },
  bulk: { perSecond: 10, perMinute: 150 },
  profiles: { perSecond: 75, perMinute: 750 },
};

describe('sandbox rate windows: fixed windows and headers as Klaviyo sends them', () => {
  it('admissions carry the steady window (limit, remaining, seconds to its reset); a 429 only Retry-After', () => {
    const windows = createRateWindows(LIMITS);
    const first = windows.admit('events', 60_000 + 400);
    expect(first).toEqual({
      admitted: true,
      retryAfterSeconds: 0,
      headers: { 'ratelimit-limit': '12, 5;w=1, 12;w=60', 'ratelimit-remaining': '11', 'ratelimit-reset': '60' },
    });
    for (let index = 0; index < 4; index += 1) expect(windows.admit('events', 60_000 + 500).admitted).toBe(true);
    // The sixth in the same second: the burst window refuses, until its reset (rounded up to a second).
    const refused = windows.admit('events', 60_000 + 600);
    expect(refused).toEqual({ admitted: false, headers: {}, retryAfterSeconds: 1 });
    // A fixed window: the next second starts empty, whatever was sent at the end of the last one.
    expect(windows.admit('events', 61_000).headers['ratelimit-remaining']).toBe('6');
  });

  it('the steady window refuses until its reset and then starts again from the full quota', () => {
    const windows = createRateWindows(LIMITS);
    for (let index = 0; index < 12; index += 1) expect(windows.admit('events', index * 1_000).admitted).toBe(true);
    expect(windows.admit('events', 30_500)).toEqual({ admitted: false, headers: {}, retryAfterSeconds: 30 });
    expect(windows.admit('events', 60_000).headers['ratelimit-remaining']).toBe('11');
  });

  it('a competing integration spends its share of each steady window evenly, in every burst window too', () => {
    const windows = createRateWindows(
      { ...LIMITS, events: { perSecond: 350, perMinute: 3_500 } },
      { burstMs: 1_000, steadyMs: 60_000 },
      { events: 0.5 },
    );
    // Half-way through the minute the other integration has spent 875 of its 1,750.
    expect(windows.admit('events', 30_000).headers['ratelimit-remaining']).toBe(String(3_500 - 875 - 1));
    expect(windows.competitor().events).toBe(0.5);
    // At its pace (29.2/s), it holds 29 of the 350 at the end of a second.
    const lateInSecond = createRateWindows(
      { ...LIMITS, events: { perSecond: 350, perMinute: 3_500 } },
      { burstMs: 1_000, steadyMs: 60_000 },
      { events: 0.5 },
    );
    let admitted = 0;
    for (let index = 0; index < 400; index += 1) if (lateInSecond.admit('events', 999).admitted) admitted += 1;
    expect(admitted).toBe(350 - 29);
    expect(() => windows.setCompetitor('events', 1)).toThrow(RangeError);
  });
});
