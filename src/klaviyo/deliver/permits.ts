/**
 * The deliverer's in-flight permits (one per request on the wire or waiting for its rate-limit grant), served
 * by urgency class. A permit is held while its request waits in the rate limiter, so a first-come pool would
 * let a backlog of 32 normal requests hold every permit and an urgent request would queue behind them before
 * the limiter's own priority could help. Two rules prevent that:
 *
 * - `reservedForUrgent` permits are never given to a lower class: an urgent request finds one free unless
 *   urgent requests themselves hold them all.
 * - Waiters are served by class (urgency.ts's `effectiveRank`: a waiter rises one class per `promoteAfterMs`,
 *   up to high, so no class waits for ever), then in arrival order.
 */
import type { Clock } from '../rate-limit/limiter.ts';
import { SYSTEM_CLOCK } from '../rate-limit/limiter.ts';
import { effectiveRank, type UrgencyClass } from '../urgency.ts';

export interface ClassPermits {
  /** True once a permit is held; false when `signal` aborted first (no permit is held then). */
  acquire(urgency: UrgencyClass, signal?: AbortSignal): Promise<boolean>;
  release(): void;
  /** Callers waiting for a permit. */
  waiting(): number;
}

export interface ClassPermitsOptions {
  readonly size: number;
  /** Permits only urgent requests may take; clamped so that other classes keep at least one. */
  readonly reservedForUrgent: number;
  readonly promoteAfterMs: number;
  readonly clock?: Clock;
}

interface Waiter {
  readonly urgency: UrgencyClass;
  readonly enqueuedAt: number;
  readonly wake: (granted: boolean) => void;
}

/** Urgent permits kept free out of `size`: one per 16, at least one when the pool has room for it. */
export function defaultUrgentReserve(size: number): number {
  return size > 1 ? Math.max(1, Math.floor(size / 16)) : 0;
}

export function createClassPermits(options: ClassPermitsOptions): ClassPermits {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const size = Math.max(1, Math.floor(options.size));
  const reserved = Math.min(Math.max(0, Math.floor(options.reservedForUrgent)), size - 1);
  let held = 0;
  // Arrival order; the next waiter served is the best effective class, the earliest among equals.
  const waiters: Waiter[] = [];

  const mayTake = (urgency: UrgencyClass) => (urgency === 'urgent' ? held < size : held < size - reserved);

  function next(): Waiter | undefined {
    const now = clock.now();
    let best: Waiter | undefined;
    let bestRank = Infinity;
    for (const waiter of waiters) {
      if (!mayTake(waiter.urgency)) continue;
      const rank = effectiveRank(waiter.urgency, now - waiter.enqueuedAt, options.promoteAfterMs);
      if (rank < bestRank) {
        best = waiter;
        bestRank = rank;
      }
    }
    return best;
  }

  function serve(): void {
    for (let waiter = next(); waiter; waiter = next()) {
      waiters.splice(waiters.indexOf(waiter), 1);
      held += 1;
      waiter.wake(true);
    }
  }

  return {
    acquire(urgency, signal) {
      if (signal?.aborted) return Promise.resolve(false);
      if (waiters.length === 0 && mayTake(urgency)) {
        held += 1;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const abandon = () => {
          const index = waiters.indexOf(waiter);
          if (index >= 0) waiters.splice(index, 1);
          resolve(false);
        };
        const waiter: Waiter = {
          urgency,
          enqueuedAt: clock.now(),
          wake: (granted) => {
            signal?.removeEventListener('abort', abandon);
            resolve(granted);
          },
        };
        waiters.push(waiter);
        signal?.addEventListener('abort', abandon, { once: true });
        // Waiters of a class the pool cannot serve now must not block one it can (an urgent one).
        serve();
      });
    },
    release() {
      held = Math.max(0, held - 1);
      serve();
    },
    waiting: () => waiters.length,
  };
}
