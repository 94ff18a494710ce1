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

/**
 * A discrete-event clock for simulations with many sleepers at once (several limiters, workers that wait for
 * a response): `sleep` registers a timer; `runUntil` moves time from timer to timer, letting every promise
 * settle in between (a macrotask turn), so concurrent sleepers interleave as they would in real time.
 */
export interface SimulatedClock extends Clock {
  /** Fires the timers due up to `time`, in order, then stops with the clock at `time`. */
  runUntil(time: number): Promise<void>;
}

export function createSimulatedClock(start = 0): SimulatedClock {
  let now = start;
  let seq = 0;
  const timers: { at: number; seq: number; fire: () => void }[] = [];
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const timer = {
          at: now + Math.max(0, ms),
          seq: seq++,
          fire: () => {
            signal?.removeEventListener('abort', wake);
            resolve();
          },
        };
        const wake = () => {
          const index = timers.indexOf(timer);
          if (index >= 0) timers.splice(index, 1);
          resolve();
        };
        signal?.addEventListener('abort', wake, { once: true });
        timers.push(timer);
      });
    },
    async runUntil(time) {
      await settle();
      for (;;) {
        let next = -1;
        for (let index = 0; index < timers.length; index += 1) {
          const timer = timers[index]!;
          const best = next < 0 ? undefined : timers[next]!;
          if (timer.at <= time && (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq))) {
            next = index;
          }
        }
        if (next < 0) break;
        const [timer] = timers.splice(next, 1);
        now = Math.max(now, timer!.at);
        timer!.fire();
        await settle();
      }
      now = Math.max(now, time);
    },
  };
}
