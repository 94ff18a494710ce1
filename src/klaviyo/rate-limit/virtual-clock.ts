/**
 * A clock for tests and simulations: `sleep` advances virtual time at once instead of waiting, so a minute of
 * rate limiting runs in microseconds. Only for callers that sleep one at a time (the limiter serialises its
 * waits per family, so it qualifies).
 */
import type { Clock } from './limiter.ts';

export interface VirtualClock extends Clock {
  advance(ms: number): void;
}

export function createVirtualClock(start = 0): VirtualClock {
  let now = start;
  return {
    now: () => now,
    sleep(ms) {
      now += Math.max(0, ms);
      return Promise.resolve();
    },
    advance(ms) {
      now += ms;
    },
  };
}
