/**
 * The limiter against the sandbox's model of Klaviyo's account windows (fixed windows, a competing
 * integration, RateLimit-* headers on admissions, Retry-After on 429s), on simulated time: several instances
 * with concurrent workers, each request taking a round trip. Pure: no sockets, no real clock.
 */
import { describe, expect, it } from 'vitest';
import { createRateWindows, type RateWindows } from '../../sandbox/rate-windows.ts';
import { readRateLimitHeaders } from './headers.ts';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './limiter.ts';
import { createSimulatedClock, type SimulatedClock } from './virtual-clock.ts';

const LIMITS: RateLimiterOptions['limits'] = {
  events: { perSecond: 350, perMinute: 3_500 },
  bulk: { perSecond: 10, perMinute: 150 },
  profiles: { perSecond: 75, perMinute: 750 },
};

interface Tally {
  admitted: number[];
  refused: number;
}

/** One instance's workers: acquire, a round trip (the server counts the request half-way), observe. */
function startInstance(
  limiter: RateLimiter,
  windows: RateWindows,
  clock: SimulatedClock,
  tally: Tally,
  options: { workers: number; roundTripMs: number; stop: AbortSignal },
): Promise<unknown> {
  const worker = async () => {
    while (!options.stop.aborted) {
      let grant;
      try {
        grant = await limiter.acquire('events', { signal: options.stop, urgency: 'normal' });
      } catch {
        return;
      }
      await clock.sleep(options.roundTripMs / 2);
      const admission = windows.admit('events', clock.now());
      await clock.sleep(options.roundTripMs / 2);
      grant.done();
      if (admission.admitted) {
        tally.admitted.push(clock.now());
        limiter.observe('events', readRateLimitHeaders(admission.headers));
      } else {
        tally.refused += 1;
        limiter.rateLimited('events', admission.retryAfterSeconds * 1000);
      }
    }
  };
  return Promise.all(Array.from({ length: options.workers }, worker));
}

const inSpan = (times: readonly number[], from: number, to: number) =>
  times.filter((time) => time >= from && time < to).length;

describe('a budget shared with others (limiter × the sandbox windows, simulated time)', () => {
  it('another integration spends 50 % of each steady window: ≤ 1 % 429s, and ≥ 95 % of the half left used', async () => {
    const clock = createSimulatedClock();
    const windows = createRateWindows(LIMITS, { burstMs: 1_000, steadyMs: 60_000 }, { events: 0.5 });
    const limiter = createRateLimiter({ limits: LIMITS, clock });
    const tally: Tally = { admitted: [], refused: 0 };
    const stop = new AbortController();
    const running = startInstance(limiter, windows, clock, tally, { workers: 16, roundTripMs: 40, stop: stop.signal });
    await clock.runUntil(300_000);
    stop.abort();
    await clock.runUntil(301_000);
    await running;
    const requests = tally.admitted.length + tally.refused;
    expect(tally.refused / requests).toBeLessThanOrEqual(0.01);
    // Every full window after the first (whose start has no measure of the other yet).
    for (let start = 60_000; start < 300_000; start += 60_000) {
      const used = inSpan(tally.admitted, start, start + 60_000);
      expect(used / 1_750).toBeGreaterThanOrEqual(0.95);
      expect(used).toBeLessThanOrEqual(1_750);
    }
  });

  it('three instances, one killed: ≤ 1 % 429s, and ≥ 95 % of the account used in the minute after the rebalance', async () => {
    const clock = createSimulatedClock();
    const windows = createRateWindows(LIMITS, { burstMs: 1_000, steadyMs: 60_000 });
    const limiters = [0, 1, 2].map(() => createRateLimiter({ limits: LIMITS, clock, share: 1 / 3 }));
    const tally: Tally = { admitted: [], refused: 0 };
    const stops = limiters.map(() => new AbortController());
    const running = limiters.map((limiter, index) =>
      startInstance(limiter, windows, clock, tally, { workers: 8, roundTripMs: 40, stop: stops[index]!.signal }),
    );
    // Killed mid-window; the group notices after a session timeout and the survivors take its partitions.
    await clock.runUntil(90_000);
    stops[2]!.abort();
    await clock.runUntil(100_000);
    limiters[0]!.setShare(1 / 2);
    limiters[1]!.setShare(1 / 2);
    await clock.runUntil(240_000);
    stops[0]!.abort();
    stops[1]!.abort();
    await clock.runUntil(241_000);
    await Promise.all(running);
    const requests = tally.admitted.length + tally.refused;
    expect(tally.refused / requests).toBeLessThanOrEqual(0.01);
    // The survivors take the dead one's share at once, inside the window its last requests still hold…
    expect(inSpan(tally.admitted, 100_000, 120_000) / (3_500 / 3)).toBeGreaterThanOrEqual(0.95);
    // …and every full window after the rebalance settled at 100 s.
    expect(inSpan(tally.admitted, 120_000, 180_000) / 3_500).toBeGreaterThanOrEqual(0.95);
    expect(inSpan(tally.admitted, 180_000, 240_000) / 3_500).toBeGreaterThanOrEqual(0.95);
  });
});
