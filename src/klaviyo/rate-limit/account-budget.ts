/**
 * The account's steady window as Klaviyo reports it. Klaviyo's budget is per account and shared by every
 * private-key integration on it (and by every relay instance), so only Klaviyo knows what is left; each
 * non-429 answer says it: `RateLimit-Limit` (the steady quota), `RateLimit-Remaining`, `RateLimit-Reset`
 * (whole seconds until Klaviyo's fixed steady window resets). Pure state, no clock: every call gets `now`.
 *
 * From those answers this module keeps:
 * - **what is left for us** in the current window: Remaining at the last answer, minus our own requests that
 *   were on the wire then (Klaviyo may not have counted them yet), minus what we were granted since. We never
 *   go below it, whatever our own bookkeeping says: a restarted instance, a survivor taking over a dead one's
 *   partitions, another integration — their requests are in Klaviyo's window, not in ours.
 * - **when the window resets**: each answer bounds it to a one-second interval (Reset is rounded up); the
 *   intersection of the answers of one window narrows it to milliseconds. The budget renews only after the
 *   latest possible reset.
 * - **what the others spend**: everything Klaviyo counted in this window that was not ours, as a rate over the
 *   recent past (a tenth of the window), so an instance that died or an integration that stopped soon stops
 *   counting. Projected to the reset, it is budget we leave to them: pacing the rest over the time left keeps
 *   us from spending the others' share early and then standing still (or losing our 429s to them) at the end
 *   of the window. Early in a window (no recent past yet) the previous window's rate stands in; with no
 *   history at all, the average since the window began.
 */
import type { RateLimitObservation } from './headers.ts';

export interface AccountSnapshot {
  /** Klaviyo's steady quota as last announced. */
  readonly limit: number;
  /** Klaviyo's RateLimit-Remaining at the last answer. */
  readonly remaining: number;
  /** What this instance may still send before the reset (never below 0). */
  readonly available: number;
  /** Milliseconds until the window certainly reset. */
  readonly resetInMs: number;
  /** Requests per second the others (other integrations, other instances) spend in this window. */
  readonly othersPerSecond: number;
}

export interface AccountBudget {
  /** A non-429 answer's headers; `ownInFlight`: our requests of this family still on the wire. */
  observe(now: number, observation: RateLimitObservation, ownInFlight: number): void;
  /** One of our requests was granted. */
  recordGrant(now: number): void;
  /**
   * Milliseconds until one more request fits the account's budget while leaving `reserve` requests of it
   * unspent (0: now). Non-urgent callers also leave what the others are projected to spend (`leaveOthers`).
   */
  waitMs(now: number, reserve: number, leaveOthers: boolean): number;
  /** Milliseconds between grants that spread what is left (after reserve and the others' part) to the reset. */
  paceIntervalMs(now: number, reserve: number): number | undefined;
  snapshot(now: number): AccountSnapshot | undefined;
  clear(): void;
}

export interface AccountBudgetOptions {
  /** Klaviyo's steady window length (60 s; tests and benchmarks scale it down). */
  readonly windowMs: number;
  /** The others' rate is measured over this share of the window (the recent past). Default 0.1. */
  readonly sampleShare?: number;
}

interface View {
  limit: number;
  /** RateLimit-Remaining as last answered. */
  reported: number;
  /** What was left at the last answer, as far as we can tell (never more than an earlier answer allowed). */
  remaining: number;
  /** Our requests on the wire when Remaining was read, plus grants since: not in `remaining` for sure. */
  unaccounted: number;
  /** The window reset somewhere in (resetLow, resetHigh]. */
  resetLow: number;
  resetHigh: number;
  othersPerMs: number;
}

export function createAccountBudget(options: AccountBudgetOptions): AccountBudget {
  const windowMs = options.windowMs;
  const sampleMs = windowMs * (options.sampleShare ?? 0.1);
  let view: View | undefined;
  /** (time, others' count so far) of this window's answers, oldest first; one sample older than sampleMs kept. */
  let samples: { at: number; remaining: number; counted: number }[] = [];
  /** Our grants ever (a cumulative count: differences between two answers are what matter). */
  let granted = 0;
  /** Whether a rate was ever measured over a recent past (until then, the window's average stands in). */
  let measured = false;
  /** Rate of the others in the last window measured (stands in early in a window). */
  let lastOthersPerMs = 0;
  /** Our grant times over the last window and a bit, oldest first. */
  let grants: number[] = [];
  let head = 0;

  function current(now: number): View | undefined {
    if (view !== undefined && now >= view.resetHigh) {
      lastOthersPerMs = view.othersPerMs;
      view = undefined;
    }
    return view;
  }

  function oursSince(start: number): number {
    // Binary search over the sorted grant times (grants arrive in clock order).
    let low = head;
    let high = grants.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (grants[middle]! < start) low = middle + 1;
      else high = middle;
    }
    return grants.length - low;
  }

  function available(state: View): number {
    return state.remaining - state.unaccounted;
  }

  return {
    observe(now, observation, ownInFlight) {
      const { remaining, resetSeconds } = observation;
      // Klaviyo's leading RateLimit-Limit is the steady window's; a `;w=` policy for it says so for certain.
      const steadyPolicy = observation.policies.find((policy) => policy.windowSeconds * 1000 === windowMs);
      const limit = steadyPolicy?.limit ?? observation.limit;
      if (limit === undefined || remaining === undefined || resetSeconds === undefined) return;
      const low = now + (resetSeconds - 1) * 1000;
      const high = now + resetSeconds * 1000;
      const previous = current(now);
      const sameWindow = previous !== undefined && low < previous.resetHigh && high > previous.resetLow;
      const resetLow = sameWindow ? Math.max(previous.resetLow, low) : low;
      const resetHigh = sameWindow ? Math.min(previous.resetHigh, high) : high;
      if (!sameWindow && previous !== undefined) lastOthersPerMs = previous.othersPerMs;
      // Ours that Klaviyo has counted by now, cumulatively: granted and no longer on the wire (approximately).
      const counted = granted - ownInFlight;
      if (!sameWindow) samples = [];
      samples.push({ at: now, remaining, counted });
      while (samples.length > 2 && samples[1]!.at <= now - sampleMs) samples.shift();
      const base = samples[0]!;
      let othersPerMs: number;
      if (now - base.at >= sampleMs / 2) {
        // What Klaviyo counted between two answers of this window, less what was ours.
        const othersUsed = Math.max(0, base.remaining - remaining - (counted - base.counted));
        othersPerMs = othersUsed / (now - base.at);
        measured = true;
      } else if (measured) {
        othersPerMs = lastOthersPerMs;
      } else {
        // No history at all (a fresh start mid-window): the window's average, from its earliest possible start.
        const windowStart = resetLow - windowMs;
        const elapsed = now - windowStart;
        const othersUsed = Math.max(0, limit - remaining - Math.max(0, oursSince(windowStart) - ownInFlight));
        othersPerMs = elapsed >= sampleMs / 2 ? othersUsed / elapsed : 0;
      }
      // Within one window Klaviyo's count only grows: an answer that overtook a later one on the way back
      // must not give back budget the later one already took.
      const bounded = sameWindow ? Math.min(remaining, available(previous) + ownInFlight) : remaining;
      view = {
        limit,
        reported: remaining,
        remaining: bounded,
        unaccounted: ownInFlight,
        resetLow,
        resetHigh,
        othersPerMs,
      };
    },
    recordGrant(now) {
      grants.push(now);
      granted += 1;
      if (view !== undefined) view.unaccounted += 1;
      const horizon = now - windowMs - 2_000;
      while (head < grants.length && grants[head]! < horizon) head += 1;
      if (head > 1_024 && head * 2 > grants.length) {
        grants = grants.slice(head);
        head = 0;
      }
    },
    waitMs(now, reserve, leaveOthers) {
      const state = current(now);
      if (state === undefined) return 0;
      const untilReset = Math.max(1, state.resetHigh - now);
      const spare = available(state) - reserve;
      if (spare < 1) return untilReset;
      if (!leaveOthers || state.othersPerMs <= 0) return 0;
      // The others' projected spend shrinks as the reset nears: wait until what they leave covers one more.
      const othersProjected = state.othersPerMs * untilReset;
      if (spare - othersProjected >= 1) return 0;
      const fitsAt = state.resetHigh - (spare - 1) / state.othersPerMs;
      return Math.max(1, Math.min(untilReset, Math.ceil(fitsAt - now)));
    },
    paceIntervalMs(now, reserve) {
      const state = current(now);
      if (state === undefined) return undefined;
      const untilReset = Math.max(1, state.resetHigh - now);
      const spare = available(state) - reserve - state.othersPerMs * untilReset;
      return spare >= 1 ? untilReset / spare : untilReset;
    },
    snapshot(now) {
      const state = current(now);
      if (state === undefined) return undefined;
      return {
        limit: state.limit,
        remaining: state.reported,
        available: Math.max(0, available(state)),
        resetInMs: Math.max(0, state.resetHigh - now),
        othersPerSecond: state.othersPerMs * 1000,
      };
    },
    clear() {
      view = undefined;
      samples = [];
      measured = false;
      lastOthersPerMs = 0;
      grants = [];
      head = 0;
    },
  };
}
