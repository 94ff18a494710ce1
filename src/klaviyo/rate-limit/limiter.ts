/**
 * Client-side rate limiting per Klaviyo endpoint family, with both of Klaviyo's windows at once. Grants are
 * handed out in FIFO order per family. The limiter shrinks below the configured quota when Klaviyo tells it
 * to (RateLimit-* headers announcing a smaller tier, `Remaining: 0`, a 429's Retry-After, honoured in full),
 * and takes only `share` of the account's budget, so dispatcher instances that split the partitions of the
 * outbound topic stay inside the account's limit together.
 *
 * Clock and sleep are injected: unit tests run it on virtual time.
 */
import type { RateFamily } from '../contract/operations.ts';
import type { RateLimitObservation } from './headers.ts';
import { createSlidingWindow, type SlidingWindow, type WindowSpec } from './sliding-window.ts';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts (the caller checks which). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const wake = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      signal?.addEventListener('abort', wake, { once: true });
    }),
};

/** Thrown by `acquire` when its signal aborts first; no slot was taken. */
export class AcquireAbortedError extends Error {
  override readonly name = 'AcquireAbortedError';
  constructor(family: RateFamily) {
    super(`waiting for a ${family} rate-limit slot was aborted`);
  }
}

export interface FamilyLimits {
  /** Burst window: Klaviyo's per-second quota. */
  readonly perSecond: number;
  /** Steady window: Klaviyo's per-minute quota. */
  readonly perMinute: number;
}

export interface RateLimiterOptions {
  readonly limits: Readonly<Record<RateFamily, FamilyLimits>>;
  readonly clock?: Clock;
  /** Fraction of the account's budget this instance may use, (0, 1]. */
  readonly share?: number;
  /**
   * Window lengths; Klaviyo's are 1 s and 60 s. Tests shrink them to exercise the steady window in seconds.
   */
  readonly windowMs?: { readonly burst: number; readonly steady: number };
  /**
   * Each window is treated as this much longer than it is. Slots already free only a window after the
   * answer (sliding-window.ts), which covers network and server-queue delays; the guard covers clock
   * granularity and skew. Default: burst 10 ms + 2 %, steady 10 ms + 0.5 % (the steady window sets the
   * sustained rate, so its guard stays small).
   */
  readonly guardMs?: { readonly burst: number; readonly steady: number };
  /** After a 429 the quota shrinks by this factor (down to `minimumFactor`) until `recoveryMs` pass quietly. */
  readonly backoffFactor?: number;
  readonly minimumFactor?: number;
  readonly recoveryMs?: number;
}

export interface FamilyStats {
  readonly granted: number;
  /** Total time callers spent waiting for a grant (for the delivery-wait metric). */
  readonly waitedMs: number;
  readonly rateLimited: number;
  /** Quotas in force now, after share, announced limits and 429 shrinking. */
  readonly effective: { readonly perSecond: number; readonly perMinute: number };
  readonly pausedUntil: number;
}

export interface Grant {
  /** How long the caller waited for this grant (ms). */
  readonly waitedMs: number;
  /** Call when the answer arrived (or the request failed): the slot frees one window later. */
  done(): void;
}

export interface RateLimiter {
  /**
   * Resolves when one request of `family` may be sent. Call `done()` on the grant when it is answered.
   * Rejects with AcquireAbortedError as soon as `signal` aborts (a stop or a lost partition), taking no slot.
   */
  acquire(family: RateFamily, signal?: AbortSignal): Promise<Grant>;
  /** Feeds back what Klaviyo said about its windows on any response. */
  observe(family: RateFamily, observation: RateLimitObservation): void;
  /** A 429: pause the family for the full Retry-After and shrink its rate for a while. */
  rateLimited(family: RateFamily, retryAfterMs: number | undefined): void;
  setShare(share: number): void;
  stats(family: RateFamily): FamilyStats;
}

interface FamilyState {
  readonly configured: FamilyLimits;
  /** Quotas Klaviyo announced through `RateLimit-Limit: …;w=` (never above configured). */
  announced: { perSecond: number; perMinute: number };
  readonly burst: SlidingWindow;
  readonly steady: SlidingWindow;
  pausedUntil: number;
  factor: number;
  lastRateLimitedAt: number;
  queue: Promise<void>;
  granted: number;
  waitedMs: number;
  rateLimitedCount: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const windowMs = options.windowMs ?? { burst: 1_000, steady: 60_000 };
  const guard = options.guardMs ?? {
    burst: 10 + Math.ceil(windowMs.burst * 0.02),
    steady: 10 + Math.ceil(windowMs.steady * 0.005),
  };
  const backoffFactor = options.backoffFactor ?? 0.8;
  const minimumFactor = options.minimumFactor ?? 0.5;
  const recoveryMs = options.recoveryMs ?? windowMs.steady;
  let share = validShare(options.share ?? 1);

  const families = new Map<RateFamily, FamilyState>();
  for (const [family, configured] of Object.entries(options.limits) as [RateFamily, FamilyLimits][]) {
    families.set(family, {
      configured,
      announced: { perSecond: configured.perSecond, perMinute: configured.perMinute },
      burst: createSlidingWindow(windowSpec(configured.perSecond, windowMs.burst + guard.burst)),
      steady: createSlidingWindow(windowSpec(configured.perMinute, windowMs.steady + guard.steady)),
      pausedUntil: 0,
      factor: 1,
      lastRateLimitedAt: Number.NEGATIVE_INFINITY,
      queue: Promise.resolve(),
      granted: 0,
      waitedMs: 0,
      rateLimitedCount: 0,
    });
  }

  function stateOf(family: RateFamily): FamilyState {
    const state = families.get(family);
    if (!state) throw new Error(`no rate limits configured for family ${family}`);
    return state;
  }

  function effective(state: FamilyState, now: number): { perSecond: number; perMinute: number } {
    if (state.factor < 1 && now - state.lastRateLimitedAt >= recoveryMs) state.factor = 1;
    const scale = share * state.factor;
    // Floor, never round: instances' shares must add up to at most the account's quota.
    return {
      perSecond: Math.max(1, Math.floor(state.announced.perSecond * scale)),
      perMinute: Math.max(1, Math.floor(state.announced.perMinute * scale)),
    };
  }

  async function waitForSlot(state: FamilyState, family: RateFamily, signal: AbortSignal | undefined): Promise<Grant> {
    const started = clock.now();
    for (;;) {
      if (signal?.aborted) throw new AcquireAbortedError(family);
      const now = clock.now();
      const quota = effective(state, now);
      const wait = Math.max(
        state.pausedUntil - now,
        state.burst.waitMs(now, quota.perSecond),
        state.steady.waitMs(now, quota.perMinute),
      );
      if (wait <= 0) {
        const burstEntry = state.burst.record(now, true);
        const steadyEntry = state.steady.record(now, true);
        state.granted += 1;
        const waitedMs = now - started;
        state.waitedMs += waitedMs;
        return {
          waitedMs,
          done() {
            const answeredAt = clock.now();
            burstEntry.close(answeredAt);
            steadyEntry.close(answeredAt);
          },
        };
      }
      await clock.sleep(wait, signal);
    }
  }

  return {
    acquire(family, signal) {
      const state = stateOf(family);
      if (signal?.aborted) return Promise.reject(new AcquireAbortedError(family));
      // Chaining keeps grants FIFO: a request that waited longest goes first when the window opens. An aborted
      // waiter leaves its turn at once (its sleep wakes on the abort) and takes no slot.
      const turn = state.queue.then(() => waitForSlot(state, family, signal));
      state.queue = turn.then(
        () => undefined,
        () => undefined,
      );
      if (signal === undefined) return turn;
      // Abandoned while still queued behind others: reject now, not when the turn comes.
      return new Promise<Grant>((resolve, reject) => {
        const abandon = () => reject(new AcquireAbortedError(family));
        signal.addEventListener('abort', abandon, { once: true });
        turn.then(
          (grant) => {
            signal.removeEventListener('abort', abandon);
            // Granted in the same tick as the abort, after the caller was told no: nothing will be sent.
            if (signal.aborted) grant.done();
            else resolve(grant);
          },
          (error: unknown) => {
            signal.removeEventListener('abort', abandon);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    },
    observe(family, observation) {
      const state = stateOf(family);
      const now = clock.now();
      for (const policy of observation.policies) {
        if (policy.windowSeconds * 1000 === windowMs.burst) {
          state.announced.perSecond = Math.min(state.configured.perSecond, policy.limit);
        } else if (policy.windowSeconds * 1000 === windowMs.steady) {
          state.announced.perMinute = Math.min(state.configured.perMinute, policy.limit);
        }
      }
      // Klaviyo's view of the window is the truth: when it says nothing is left, wait for its reset. Reset is
      // rounded up to whole seconds, so only the whole seconds before it are certain; our own windows cover the
      // rest (waiting the rounded-up value would waste up to a second per window).
      if (observation.remaining === 0 && observation.resetSeconds !== undefined && observation.resetSeconds > 1) {
        state.pausedUntil = Math.max(state.pausedUntil, now + (observation.resetSeconds - 1) * 1000);
      }
    },
    rateLimited(family, retryAfterMs) {
      const state = stateOf(family);
      const now = clock.now();
      state.rateLimitedCount += 1;
      state.lastRateLimitedAt = now;
      state.factor = Math.max(minimumFactor, state.factor * backoffFactor);
      // In full: a shorter wait only earns another 429. Without a Retry-After, sit out one burst window.
      state.pausedUntil = Math.max(state.pausedUntil, now + (retryAfterMs ?? windowMs.burst));
    },
    setShare(next) {
      share = validShare(next);
    },
    stats(family) {
      const state = stateOf(family);
      return {
        granted: state.granted,
        waitedMs: state.waitedMs,
        rateLimited: state.rateLimitedCount,
        effective: effective(state, clock.now()),
        pausedUntil: state.pausedUntil,
      };
    },
  };
}

function windowSpec(limit: number, windowMs: number): WindowSpec {
  return { limit, windowMs };
}

function validShare(share: number): number {
  if (!(share > 0 && share <= 1)) throw new RangeError(`rate-limit share must be in (0, 1], got ${share}`);
  return share;
}
