import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from './headers.ts';
import { AcquireAbortedError, createRateLimiter, type RateLimiterOptions } from './limiter.ts';
import { createVirtualClock } from './virtual-clock.ts';

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

describe('rate limiter: both windows at once', () => {
  it('never exceeds 350/s nor 3500/min, and sustains the steady rate', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    const times = await grantTimes(limiter, clock, 10_000);
    expect(maxInWindow(times, 1_000)).toBeLessThanOrEqual(350);
    expect(maxInWindow(times, 60_000)).toBeLessThanOrEqual(3_500);
    // 10,000 grants = 3,500 + 3,500 + 3,000: the third minute opens after two guarded minutes (2 × 60.31 s)
    // and its 3,000 grants take nine guarded seconds more at 350/s. Anything slower wastes budget.
    const elapsedSeconds = times.at(-1)! / 1_000;
    expect(elapsedSeconds).toBeGreaterThan(120);
    expect(elapsedSeconds).toBeLessThan(2 * 60.31 + 9 * 1.03 + 0.5);
    expect(limiter.stats('events').granted).toBe(10_000);
    expect(limiter.stats('events').waitedMs).toBeGreaterThan(0);
  });

  it('the burst window binds inside the first minute', async () => {
    const clock = createVirtualClock();
    const limiter = createRateLimiter({ limits: KLAVIYO_LIMITS, clock });
    const times = await grantTimes(limiter, clock, 700);
    expect(times[349]).toBe(0);
    expect(times[350]).toBeGreaterThan(1_000);
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
