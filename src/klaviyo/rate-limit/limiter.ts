/**
 * Client-side rate limiting per Klaviyo endpoint family, with both of Klaviyo's windows at once:
 * - **Our windows**: a sliding log per window (sliding-window.ts) holds us to `share` of the configured quota,
 *   so dispatcher instances that split the outbound topic's partitions stay inside the account together.
 * - **The account's window**: Klaviyo's RateLimit-* headers say what the whole account (other integrations,
 *   other instances, a dead instance's last requests) has left; we never send past it and pace what is left
 *   over the time to the reset (account-budget.ts). A 429's Retry-After is honoured in full and shrinks the
 *   rate for a while.
 * - **Pacing**: non-urgent Create Event and profile requests are spread evenly over the steady window (with a
 *   short burst allowance after a quiet spell) instead of spending a minute's allowance in seconds and then
 *   idling. Bulk jobs are not paced (no urgent request takes the bulk lane).
 * - **Urgency**: waiters are served by class (urgency.ts: urgent first, promotion against starvation), and
 *   a headroom of each window is kept for urgent requests, which are not paced: a password reset finds a slot
 *   within milliseconds while a backlog keeps every other slot busy.
 *
 * Clock and sleep are injected: unit tests run it on virtual time.
 */
import type { RateFamily } from '../contract/operations.ts';
import { DEFAULT_PROMOTE_AFTER_MS, effectiveRank, type UrgencyClass } from '../urgency.ts';
import { createAccountBudget, type AccountBudget, type AccountSnapshot } from './account-budget.ts';
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
  /**
   * Share of each window (ours and the account's) that only urgent requests may spend, per family: the
   * headroom that lets a password reset through within milliseconds while a backlog keeps every other slot
   * busy. Default 1 % for events and profiles (35 of Create Event's 3,500 a minute), none for bulk (no
   * urgent request takes the bulk lane).
   */
  readonly headroom?: Partial<Readonly<Record<RateFamily, number>>>;
  /**
   * Non-urgent grants are paced evenly over the steady window; after a quiet spell this much of the pace
   * may go at once. Default: a sixtieth of the steady window (one second's worth at Klaviyo's windows).
   */
  readonly paceBurstMs?: number;
  /**
   * Families whose non-urgent requests are paced. Default: events and profiles, where urgent requests need
   * the steady window's slots spread out; not bulk (no urgent request takes it, and a backlog of jobs is
   * better sent at the burst rate while the steady window has room).
   */
  readonly paced?: Partial<Readonly<Record<RateFamily, boolean>>>;
  /** The no-starvation rule: a waiter rises one class per this many ms waited (urgency.ts). */
  readonly promoteAfterMs?: number;
}

export interface FamilyStats {
  readonly granted: number;
  /** Total time callers spent waiting for a grant (for the delivery-wait metric). */
  readonly waitedMs: number;
  readonly rateLimited: number;
  /** Quotas in force now, after share, announced limits and 429 shrinking. */
  readonly effective: { readonly perSecond: number; readonly perMinute: number };
  readonly pausedUntil: number;
  /** Granted and not yet answered. */
  readonly inFlight: number;
  /** Callers waiting for a grant. */
  readonly waiting: number;
  /** The rate non-urgent requests are allowed now, sustained (requests per second). */
  readonly allowedPerSecond: number;
  /** The account's steady window as Klaviyo last reported it (absent before an answer or after its reset). */
  readonly account: AccountSnapshot | undefined;
}

export interface Grant {
  /** How long the caller waited for this grant (ms). */
  readonly waitedMs: number;
  /** Call when the answer arrived (or the request failed): the slot frees one window later. */
  done(): void;
}

export interface AcquireOptions {
  /** Abandons the wait: the promise rejects with AcquireAbortedError and no slot is taken. */
  readonly signal?: AbortSignal;
  /** Served before every lower class waiting (with the no-starvation promotion); default `normal`. */
  readonly urgency?: UrgencyClass;
}

export interface RateLimiter {
  /**
   * Resolves when one request of `family` may be sent. Call `done()` on the grant when it is answered.
   * Rejects with AcquireAbortedError as soon as the signal aborts (a stop or a lost partition), taking no slot.
   * A bare AbortSignal is accepted for callers that know no class.
   */
  acquire(family: RateFamily, options?: AbortSignal | AcquireOptions): Promise<Grant>;
  /** Feeds back what Klaviyo said about its windows on any response (the headers of a non-429 answer). */
  observe(family: RateFamily, observation: RateLimitObservation): void;
  /** A 429: pause the family for the full Retry-After and shrink its rate for a while. */
  rateLimited(family: RateFamily, retryAfterMs: number | undefined): void;
  setShare(share: number): void;
  stats(family: RateFamily): FamilyStats;
}

interface Waiter {
  readonly urgency: UrgencyClass;
  readonly enqueuedAt: number;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (grant: Grant) => void;
  readonly reject: (error: Error) => void;
  onAbort?: () => void;
}

interface FamilyState {
  readonly family: RateFamily;
  readonly configured: FamilyLimits;
  /** Quotas Klaviyo announced through `RateLimit-Limit: …;w=` (never above configured). */
  announced: { perSecond: number; perMinute: number };
  readonly burst: SlidingWindow;
  readonly steady: SlidingWindow;
  readonly account: AccountBudget;
  readonly headroom: number;
  readonly paced: boolean;
  pausedUntil: number;
  factor: number;
  lastRateLimitedAt: number;
  /** The pacer's theoretical arrival time (GCRA) for the next non-urgent grant. */
  paceAt: number;
  waiters: Waiter[];
  pumping: boolean;
  wake: AbortController | undefined;
  inFlight: number;
  granted: number;
  waitedMs: number;
  rateLimitedCount: number;
}

/** How late a paced grant may be and still be made up by the next ones. */
const PACE_CATCH_UP_MS = 25;

const DEFAULT_HEADROOM: Readonly<Record<RateFamily, number>> = { events: 0.01, profiles: 0.01, bulk: 0 };

const DEFAULT_PACED: Readonly<Record<RateFamily, boolean>> = { events: true, profiles: true, bulk: false };

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
  const paceBurstMs = options.paceBurstMs ?? windowMs.steady / 60;
  const promoteAfterMs = options.promoteAfterMs ?? DEFAULT_PROMOTE_AFTER_MS;
  let share = validShare(options.share ?? 1);

  const families = new Map<RateFamily, FamilyState>();
  for (const [family, configured] of Object.entries(options.limits) as [RateFamily, FamilyLimits][]) {
    families.set(family, {
      family,
      configured,
      announced: { perSecond: configured.perSecond, perMinute: configured.perMinute },
      burst: createSlidingWindow(windowSpec(configured.perSecond, windowMs.burst + guard.burst)),
      steady: createSlidingWindow(windowSpec(configured.perMinute, windowMs.steady + guard.steady)),
      account: createAccountBudget({ windowMs: windowMs.steady }),
      headroom: options.headroom?.[family] ?? DEFAULT_HEADROOM[family],
      paced: options.paced?.[family] ?? DEFAULT_PACED[family],
      pausedUntil: 0,
      factor: 1,
      lastRateLimitedAt: Number.NEGATIVE_INFINITY,
      paceAt: Number.NEGATIVE_INFINITY,
      waiters: [],
      pumping: false,
      wake: undefined,
      inFlight: 0,
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

  /** Our windows' limits for a class: all of them for urgent, all but the headroom for the rest. */
  function limitsFor(state: FamilyState, now: number, urgent: boolean) {
    const quota = effective(state, now);
    if (urgent) return quota;
    return {
      perSecond: quota.perSecond - reserveOf(quota.perSecond, state.headroom),
      perMinute: quota.perMinute - reserveOf(quota.perMinute, state.headroom),
    };
  }

  function accountReserve(state: FamilyState, now: number): number {
    const snapshot = state.account.snapshot(now);
    return snapshot === undefined ? 0 : reserveOf(snapshot.limit, state.headroom);
  }

  /** Milliseconds between non-urgent grants: our share of the steady window, or what the account leaves. */
  function paceIntervalMs(state: FamilyState, now: number): number {
    const own = (windowMs.steady + guard.steady) / limitsFor(state, now, false).perMinute;
    const account = state.account.paceIntervalMs(now, accountReserve(state, now));
    return Math.max(own, account ?? 0);
  }

  function waitFor(state: FamilyState, urgency: UrgencyClass, now: number): number {
    const urgent = urgency === 'urgent';
    const limits = limitsFor(state, now, urgent);
    return Math.max(
      state.pausedUntil - now,
      state.burst.waitMs(now, limits.perSecond),
      state.steady.waitMs(now, limits.perMinute),
      state.account.waitMs(now, urgent ? 0 : accountReserve(state, now), !urgent),
      urgent || !state.paced ? 0 : pacerWaitMs(state, now),
    );
  }

  /**
   * GCRA: the next non-urgent grant is due at `paceAt`. The burst allowance applies only after a quiet spell
   * (our steady window nearly empty): otherwise the slots it let through, expiring together a window later,
   * would open a gap and then let the same burst through again, every window.
   */
  function pacerWaitMs(state: FamilyState, now: number): number {
    const interval = paceIntervalMs(state, now);
    const quiet = state.steady.count(now) < paceBurstMs / interval;
    return state.paceAt - (quiet ? paceBurstMs : 0) - now;
  }

  /** The waiter served next: the best effective class, then the earliest arrival. */
  function pick(waiters: readonly Waiter[], now: number): number {
    let best = 0;
    let bestRank = Number.POSITIVE_INFINITY;
    for (let index = 0; index < waiters.length; index += 1) {
      const waiter = waiters[index]!;
      const rank = effectiveRank(waiter.urgency, now - waiter.enqueuedAt, promoteAfterMs);
      // Waiters sit in arrival order, so the first of a rank is its earliest.
      if (rank < bestRank) {
        best = index;
        bestRank = rank;
      }
    }
    return best;
  }

  function grant(state: FamilyState, waiter: Waiter, now: number): void {
    if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
    if (waiter.urgency !== 'urgent') {
      // Keep the schedule when a timer fired late (they do, by a millisecond or more at these intervals), so
      // the pace catches up; after longer, the schedule starts again from now.
      state.paceAt = Math.max(state.paceAt, now - PACE_CATCH_UP_MS) + paceIntervalMs(state, now);
    }
    const burstEntry = state.burst.record(now, true);
    const steadyEntry = state.steady.record(now, true);
    state.account.recordGrant(now);
    state.inFlight += 1;
    state.granted += 1;
    const waitedMs = now - waiter.enqueuedAt;
    state.waitedMs += waitedMs;
    let answered = false;
    waiter.resolve({
      waitedMs,
      done() {
        if (answered) return;
        answered = true;
        const answeredAt = clock.now();
        state.inFlight -= 1;
        burstEntry.close(answeredAt);
        steadyEntry.close(answeredAt);
      },
    });
  }

  /**
   * One loop per family hands out grants: it serves the best waiter as soon as its class may go, and sleeps
   * otherwise. A new waiter, an abort or news from Klaviyo wakes it to decide again (an urgent request
   * arriving while a low one waits for the pacer goes first, at once).
   */
  async function pump(state: FamilyState): Promise<void> {
    state.pumping = true;
    try {
      while (state.waiters.length > 0) {
        const now = clock.now();
        const index = pick(state.waiters, now);
        const waiter = state.waiters[index]!;
        const wait = waitFor(state, waiter.urgency, now);
        if (wait <= 0) {
          state.waiters.splice(index, 1);
          grant(state, waiter, now);
          continue;
        }
        const wake = new AbortController();
        state.wake = wake;
        await clock.sleep(wait, wake.signal);
        state.wake = undefined;
      }
    } catch (error) {
      for (const waiter of state.waiters.splice(0)) {
        if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
      }
    } finally {
      state.pumping = false;
    }
  }

  function kick(state: FamilyState): void {
    if (state.waiters.length === 0) return;
    if (state.pumping) state.wake?.abort();
    else void pump(state);
  }

  return {
    acquire(family, acquireOptions) {
      const state = stateOf(family);
      const { signal, urgency = 'normal' } =
        acquireOptions instanceof AbortSignal ? { signal: acquireOptions } : (acquireOptions ?? {});
      if (signal?.aborted) return Promise.reject(new AcquireAbortedError(family));
      return new Promise<Grant>((resolve, reject) => {
        const waiter: Waiter = { urgency, enqueuedAt: clock.now(), signal, resolve, reject };
        if (signal) {
          // Abandoned while waiting: leave the queue at once and take no slot; the loop decides again.
          waiter.onAbort = () => {
            const index = state.waiters.indexOf(waiter);
            if (index < 0) return;
            state.waiters.splice(index, 1);
            reject(new AcquireAbortedError(family));
            kick(state);
          };
          signal.addEventListener('abort', waiter.onAbort, { once: true });
        }
        state.waiters.push(waiter);
        kick(state);
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
      // Klaviyo's view of the account's window is the truth (others spend it too): follow it.
      state.account.observe(now, observation, state.inFlight);
      kick(state);
    },
    rateLimited(family, retryAfterMs) {
      const state = stateOf(family);
      const now = clock.now();
      state.rateLimitedCount += 1;
      state.lastRateLimitedAt = now;
      state.factor = Math.max(minimumFactor, state.factor * backoffFactor);
      // In full: a shorter wait only earns another 429. Without a Retry-After, sit out one burst window.
      state.pausedUntil = Math.max(state.pausedUntil, now + (retryAfterMs ?? windowMs.burst));
      kick(state);
    },
    setShare(next) {
      share = validShare(next);
      for (const state of families.values()) kick(state);
    },
    stats(family) {
      const state = stateOf(family);
      const now = clock.now();
      return {
        granted: state.granted,
        waitedMs: state.waitedMs,
        rateLimited: state.rateLimitedCount,
        effective: effective(state, now),
        pausedUntil: state.pausedUntil,
        inFlight: state.inFlight,
        waiting: state.waiters.length,
        allowedPerSecond: 1000 / paceIntervalMs(state, now),
        account: state.account.snapshot(now),
      };
    },
  };
}

/** Requests of a window kept for urgent ones: the headroom's share, rounded down (tiny quotas keep none). */
export function reserveOf(limit: number, headroom: number): number {
  if (!(headroom > 0) || limit <= 1) return 0;
  return Math.min(limit - 1, Math.floor(limit * headroom));
}

function windowSpec(limit: number, windowMs: number): WindowSpec {
  return { limit, windowMs };
}

function validShare(share: number): number {
  if (!(share > 0 && share <= 1)) throw new RangeError(`rate-limit share must be in (0, 1], got ${share}`);
  return share;
}
