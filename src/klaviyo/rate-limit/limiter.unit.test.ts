import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from './headers.ts';
import { AcquireAbortedError, createRateLimiter, type RateLimiterOptions } from './limiter.ts';
import type { UrgencyClass } from '../urgency.ts';
import { createSimulatedClock, createVirtualClock } from './virtual-clock.ts';

const KLAVIYO_LIMITS: RateLimiterOptions['limits'] = {
  events: { perSecond: 350, perMinute: 3500 },
  bulk: { perSecond: 10, perMinute: 150 },
  profiles: { perSecond: 75, perMinute: 750 },
};

/** Largest number of grants inside any span of `windowMs` (a sliding count, as the sandbox enforces). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while (times[end]! - times[start]! >= windowMs) start += 1;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

async function grantTimes(limiter: ReturnType<typeof createRateLimiter>, clock: { now(): number }, count: number) {
  const times: number[] = [];
  for (let index = 0; index < count; index += 1) {
    (await limiter.acquire('events')).done();
    times.push(clock.now());
  }
  return times;
}

describe('rate limiter: both windows at once, the steady one paced', () => {
  it('never exceeds 350/s nor 3500/min, and spreads the steady window instead of spending it in seconds', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    const times = await grantTimes(limiter, clock, 10_000);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(350);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(3_500);
    // Paced at (3,500 − 35 urgent headroom) per guarded minute (60.31 s), after one second's worth at once.
    const perSecond = 3_465 / 60.31;
    const elapsedSeconds = times.at(-1)! / 1_000;
    expect(elapsedSeconds).toBeGreaterThan(10_000 / perSecond - 2);
    expect(elapsedSeconds).toBeLessThan(10_000 / perSecond + 1);
    // No idle stretch: consecutive grants are one pace interval apart. The one longer gap follows the second's
    // worth let through at the start (an advance on the pace); where those slots leave the window a minute
    // later, the pace stumbles by tens of milliseconds, never seconds.
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    const interval = 1_000 / perSecond;
    expect(gaps.filter((gap) => gap > 100)).toHaveLength(1);
    expect(Math.max(...gaps)).toBeLessThan(1_000 + interval);
    expect(gaps.filter((gap) => gap > interval + 1).length).toBeLessThanOrEqual(3);
    expect(limiter.stats('events').granted).toBe(10_000);
    expect(limiter.stats('events').allowedPerSecond).toBeCloseTo(perSecond, 3);
  });

  it('the measured case: a 120/min window is used evenly across the minute, not in 12 s then 48 s idle', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({
      limits: { ...KLAVIYO_LIMITS, events: { perSecond: 10, perMinute: 120 } },
      clock,
    });
    const times = await grantTimes(limiter, clock, 360);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(120);
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    // 118 non-urgent per 60.31 s: a grant every ~511 ms, so every 10 s of the minute gets its part (the one
    // longer gap follows the second's worth let through at the start, an advance on the pace).
    expect(gaps.filter((gap) => gap > 600)).toHaveLength(1);
    expect(Math.max(...gaps)).toBeLessThan(1_000 + 520);
    for (let start = 10_000; start + 10_000 <= times.at(-1)!; start += 10_000) {
      const inSpan = times.filter((time) => time >= start && time < start + 10_000).length;
      expect(inSpan).toBeGreaterThanOrEqual(19);
      expect(inSpan).toBeLessThanOrEqual(20);
    }
  });

  it('after a quiet spell, one second of the steady pace may go at once (then the pace holds)', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    const times = await grantTimes(limiter, clock, 200);
    const atOnce = times.filter((time) => time === 0).length;
    expect(atOnce).toBeGreaterThanOrEqual(57);
    expect(atOnce).toBeLessThanOrEqual(59);
  });

  it('a share takes a proportional budget, floored so shares never add up to more than the account', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock, share: 1 / 3 });
    expect(limiter.stats('events').effective).toEqual({ perSecond: 116, perMinute: 1166 });
    limiter.setShare(0.5);
    const times = await grantTimes(limiter, clock, 2_000);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(175);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(1_750);
    expect(() => limiter.setShare(0)).toThrow(RangeError);
    expect(() => limiter.setShare(1.5)).toThrow(RangeError);
  });
});

describe('rate limiter: adapts to Klaviyo', () => {
  it('a 429 pauses for the full Retry-After and shrinks the rate until a quiet minute passes', async () => {
    const clock = createVirtualClock(1_000_000);
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    limiter.rateLimited('events', 45_000);
    const grant = await limiter.acquire('events');
    expect(grant.waitedMs).toBeGreaterThanOrEqual(45_000);
    expect(limiter.stats('events').effective.perSecond).toBe(280);
    clock.advance(60_000);
    expect(limiter.stats('events').effective.perSecond).toBe(350);
    expect(limiter.stats('events').rateLimited).toBe(1);
  });

  it('announced smaller tiers lower the quota; Remaining 0 waits for Reset', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    const observation = readRateLimitHeaders({
      'ratelimit-limit': '3, 3;w=1, 60;w=60',
      'ratelimit-remaining': '0',
      'ratelimit-reset': '3',
    });
    expect(observation).toEqual({
      limit: 3,
      remaining: 0,
      resetSeconds: 3,
      policies: [
        { limit: 3, windowSeconds: 1 },
        { limit: 60, windowSeconds: 60 },
      ],
    });
    limiter.observe('bulk', observation);
    expect(limiter.stats('bulk').effective).toEqual({ perSecond: 3, perMinute: 60 });
    expect((await limiter.acquire('bulk')).waitedMs).toBeGreaterThanOrEqual(2_000);
  });

  it('announced limits above the configured ones are ignored (config is the ceiling)', () => {
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock: createVirtualClock() });
    limiter.observe('profiles', readRateLimitHeaders({ 'ratelimit-limit': '1000, 1000;w=1, 9000;w=60' }));
    expect(limiter.stats('profiles').effective).toEqual({ perSecond: 75, perMinute: 750 });
  });
});

describe('rate limiter: slots free a window after the answer, not after the grant', () => {
  it('a request still on the wire holds its slot; the slot frees one window after done()', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({
      limits: { ...KLAVIYO_LIMITS, bulk: { perSecond: 1, perMinute: 100 } },
      clock,
      guardMs: { burst: 0, steady: 0 },
    });
    const first = await limiter.acquire('bulk');
    clock.advance(3_000);
    first.done();
    const second = await limiter.acquire('bulk');
    // Granted at 0, answered at 3,000: the server may have seen it as late as 3,000, so the next waits till 4,000.
    expect(clock.now()).toBeGreaterThanOrEqual(4_000);
    expect(second.waitedMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe('rate limiter: an aborted wait', () => {
  it('rejects at once, takes no slot, and the next waiter is granted as if it had not been there', async () => {
    const limiter = createRateLimiter({
      limits: { ...KLAVIYO_LIMITS, events: { perSecond: 1, perMinute: 1 } },
      windowMs: { burst: 1_000, steady: 60_000 },
    });
    (await limiter.acquire('events')).done();
    const controller = new AbortController();
    const waiting = limiter.acquire('events', controller.signal);
    controller.abort();
    // The slot frees a minute from now; the test's 5 s timeout would catch a wait that ignores the abort.
    await expect(waiting).rejects.toBeInstanceOf(AcquireAbortedError);
    await expect(limiter.acquire('events', AbortSignal.abort())).rejects.toBeInstanceOf(AcquireAbortedError);
    expect(limiter.stats('events').granted).toBe(1);
  });

  it('an abort queued behind other waiters gives up its turn without delaying them', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock, guardMs: { burst: 0, steady: 0 } });
    for (let index = 0; index < 350; index += 1) (await limiter.acquire('events')).done();
    const controller = new AbortController();
    const first = limiter.acquire('events');
    const abandoned = limiter.acquire('events', controller.signal);
    const third = limiter.acquire('events');
    controller.abort();
    await expect(abandoned).rejects.toBeInstanceOf(AcquireAbortedError);
    expect((await first).waitedMs).toBeGreaterThan(0);
    (await third).done();
    expect(limiter.stats('events').granted).toBe(352);
  });
});

describe("rate limiter: the account's budget, as Klaviyo reports it", () => {
  const answer = (remaining: number, resetSeconds: number, limit = 3_500) =>
    readRateLimitHeaders({
      'ratelimit-limit': `${limit}`,
      'ratelimit-remaining': String(remaining),
      'ratelimit-reset': String(resetSeconds),
    });

  it('never sends more before the reset than Remaining says is left, counting its own requests in flight', async () => {
    const clock = createVirtualClock(1_000_000);
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock, headroom: { events: 0 } });
    const onTheWire = await Promise.all(Array.from({ length: 5 }, () => limiter.acquire('events')));
    // Klaviyo says 12 are left for the 59 s to the reset; 5 of ours may not be counted yet.
    limiter.observe('events', answer(12, 59));
    expect(limiter.stats('events').account).toMatchObject({ limit: 3_500, remaining: 12, available: 7 });
    const times = await grantTimes(limiter, clock, 8);
    // The 7 left are spread over the time to the reset (not sent at once), the 8th waits for the reset.
    expect(times.slice(0, 7).every((time) => time < 1_059_000)).toBe(true);
    expect(times[6]! - times[0]!).toBeGreaterThan(40_000);
    expect(times[7]).toBeGreaterThanOrEqual(1_059_000);
    for (const grant of onTheWire) grant.done();
  });

  it('keeps the headroom of the account for urgent requests: others stop short of it, urgent ones take it', async () => {
    const clock = createVirtualClock(1_000_000);
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    limiter.observe('events', answer(40, 59)); // headroom: 1 % of 3,500 = 35, so 5 for the others
    const normal = await grantTimes(limiter, clock, 5);
    expect(normal.every((time) => time < 1_059_000)).toBe(true);
    const blocked = limiter.acquire('events', { urgency: 'low' }).then((grant) => ({ grant, at: clock.now() }));
    const urgent = await limiter.acquire('events', { urgency: 'urgent' });
    expect(urgent.waitedMs).toBe(0);
    expect((await blocked).at).toBeGreaterThanOrEqual(1_059_000);
  });
});

describe('rate limiter: urgency', () => {
  it('a waiting request of a higher class is granted before every lower one that waits', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({
      limits: { ...KLAVIYO_LIMITS, events: { perSecond: 10, perMinute: 600 } },
      clock,
      paceBurstMs: 0,
    });
    const order: string[] = [];
    const take = (urgency: UrgencyClass, label: string) =>
      limiter.acquire('events', { urgency }).then((grant) => {
        order.push(label);
        grant.done();
      });
    const all = [
      take('low', 'low-1'),
      take('low', 'low-2'),
      take('normal', 'normal-1'),
      take('high', 'high-1'),
      take('urgent', 'urgent-1'),
      take('normal', 'normal-2'),
    ];
    await Promise.all(all);
    expect(order).toEqual(['low-1', 'urgent-1', 'high-1', 'normal-1', 'normal-2', 'low-2']);
  });

  it('an urgent request arriving during a paced backlog is granted within milliseconds', async () => {
    const clock = createSimulatedClock();
    // The scaled window: 120/min, so a non-urgent grant only every ~0.5 s.
    const limiter = createRateLimiter({
      limits: { ...KLAVIYO_LIMITS, events: { perSecond: 10, perMinute: 120 } },
      clock,
    });
    const backlog = Array.from({ length: 400 }, () =>
      limiter.acquire('events', { urgency: 'low' }).then((grant) => grant.done()),
    );
    const urgentWaits: number[] = [];
    for (let second = 5; second <= 175; second += 10) {
      await clock.runUntil(second * 1_000);
      const grant = limiter.acquire('events', { urgency: 'urgent' }).then((granted) => {
        urgentWaits.push(granted.waitedMs);
        granted.done();
      });
      await clock.runUntil(second * 1_000 + 100);
      await grant;
    }
    expect(urgentWaits).toHaveLength(18);
    expect(Math.max(...urgentWaits)).toBe(0);
    expect(limiter.stats('events').waiting).toBeGreaterThan(0);
    await clock.runUntil(600_000);
    await Promise.all(backlog);
  });

  it('never starves a class: a low waiter is promoted one class per promoteAfterMs and then served in turn', async () => {
    const clock = createSimulatedClock();
    const limiter = createRateLimiter({
      limits: { ...KLAVIYO_LIMITS, events: { perSecond: 10, perMinute: 60 } },
      clock,
      promoteAfterMs: 5_000,
      paceBurstMs: 0,
    });
    let stop = false;
    // High traffic that alone fills the budget: there is always a high request waiting.
    const highs = Array.from({ length: 3 }, async () => {
      while (!stop) (await limiter.acquire('events', { urgency: 'high' })).done();
    });
    await clock.runUntil(1_000);
    let lowGrantedAt: number | undefined;
    const low = limiter.acquire('events', { urgency: 'low' }).then((grant) => {
      lowGrantedAt = clock.now();
      grant.done();
    });
    await clock.runUntil(30_000);
    await low;
    // Low → normal at 5 s, → high at 10 s; then only the high waiters that arrived before it go first.
    expect(lowGrantedAt).toBeDefined();
    expect(lowGrantedAt!).toBeGreaterThanOrEqual(11_000);
    expect(lowGrantedAt!).toBeLessThan(11_000 + 4 * 1_010);
    stop = true;
    await clock.runUntil(60_000);
    await Promise.all(highs);
  });
});

describe('rate limiter: the bulk family is not paced', () => {
  it('a backlog of jobs goes at the burst rate while the steady window has room', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    const times: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      (await limiter.acquire('bulk')).done();
      times.push(clock.now());
    }
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(10);
    // 10 a second (the burst window, guarded): 100 jobs in about ten seconds, not paced over 40.
    expect(times.at(-1)!).toBeLessThan(10 * 1_030);
  });
});
