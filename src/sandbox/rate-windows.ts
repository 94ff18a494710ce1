/**
 * Klaviyo's rate limits as the sandbox enforces them, as Klaviyo documents them: per account and endpoint
 * family, a fixed burst window and a fixed steady window at once ("a fixed-window rate limiting algorithm with
 * two distinct windows"), counting admitted requests. A request over either gets a 429 with only
 * `Retry-After` (whole seconds until the window that refused it resets, rounded up, so a client that honours
 * it is never early). Every other answer carries the steady window's state: `RateLimit-Limit` (the steady
 * quota first, then both policies in the IETF draft's `;w=` form), `RateLimit-Remaining` and
 * `RateLimit-Reset` (whole seconds until the steady window resets, rounded up).
 *
 * A **competing integration** can be switched on per family: another private-key integration on the same
 * account, spending `share` of each steady window, evenly over the window (so it counts in every burst
 * window too, at its steady pace). Its requests are never refused; ours are, once ours and its fill a window.
 *
 * Pure: every call is given `now`.
 */
import type { RateFamily } from '../klaviyo/contract/operations.ts';

export interface SandboxLimits {
  readonly perSecond: number;
  readonly perMinute: number;
}

export interface WindowLengths {
  readonly burstMs: number;
  readonly steadyMs: number;
}

export interface AdmissionResult {
  readonly admitted: boolean;
  /** RateLimit-* on an admission; none on a refusal (Klaviyo sends Retry-After instead). */
  readonly headers: Record<string, string>;
  /** Whole seconds, for a 429's Retry-After. */
  readonly retryAfterSeconds: number;
}

export interface RateWindows {
  admit(family: RateFamily, now: number): AdmissionResult;
  setLimits(family: RateFamily, limits: SandboxLimits): void;
  limits(): Readonly<Record<RateFamily, SandboxLimits>>;
  /** The share of each steady window a competing integration spends, [0, 1). */
  setCompetitor(family: RateFamily, share: number): void;
  competitor(): Readonly<Record<RateFamily, number>>;
  clear(): void;
}

interface FixedWindow {
  index: number;
  count: number;
}

export function createRateWindows(
  initial: Readonly<Record<RateFamily, SandboxLimits>>,
  lengths: WindowLengths = { burstMs: 1_000, steadyMs: 60_000 },
  competitorShares: Partial<Readonly<Record<RateFamily, number>>> = {},
): RateWindows {
  const current: Record<RateFamily, SandboxLimits> = { ...initial };
  const competing: Record<RateFamily, number> = { events: 0, bulk: 0, profiles: 0 };
  for (const [family, share] of Object.entries(competitorShares) as [RateFamily, number][]) {
    competing[family] = validCompetitorShare(share);
  }
  const windows = new Map<RateFamily, { burst: FixedWindow; steady: FixedWindow }>();

  function windowsOf(family: RateFamily, now: number) {
    let pair = windows.get(family);
    if (!pair) {
      pair = { burst: { index: -1, count: 0 }, steady: { index: -1, count: 0 } };
      windows.set(family, pair);
    }
    roll(pair.burst, Math.floor(now / lengths.burstMs));
    roll(pair.steady, Math.floor(now / lengths.steadyMs));
    return pair;
  }

  return {
    admit(family, now): AdmissionResult {
      const limits = current[family];
      const { burst, steady } = windowsOf(family, now);
      const burstStart = burst.index * lengths.burstMs;
      const steadyStart = steady.index * lengths.steadyMs;
      const steadyReset = steadyStart + lengths.steadyMs - now;
      const burstReset = burstStart + lengths.burstMs - now;
      // The competitor's spend so far in each window, at its steady pace.
      const pacePerMs = (competing[family] * limits.perMinute) / lengths.steadyMs;
      const theirsSteady = Math.min(limits.perMinute, Math.floor(pacePerMs * (now - steadyStart)));
      const theirsBurst = Math.min(limits.perSecond, Math.floor(pacePerMs * (now - burstStart)));
      const steadyFull = steady.count + theirsSteady >= limits.perMinute;
      const burstFull = burst.count + theirsBurst >= limits.perSecond;
      if (steadyFull || burstFull) {
        const waitMs = steadyFull ? steadyReset : burstReset;
        return { admitted: false, headers: {}, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
      }
      burst.count += 1;
      steady.count += 1;
      return {
        admitted: true,
        retryAfterSeconds: 0,
        headers: {
          'ratelimit-limit': `${limits.perMinute}, ${limits.perSecond};w=${lengths.burstMs / 1000}, ${limits.perMinute};w=${lengths.steadyMs / 1000}`,
          'ratelimit-remaining': String(Math.max(0, limits.perMinute - steady.count - theirsSteady)),
          'ratelimit-reset': String(Math.ceil(steadyReset / 1000)),
        },
      };
    },
    setLimits(family, limits) {
      current[family] = limits;
    },
    limits: () => current,
    setCompetitor(family, share) {
      competing[family] = validCompetitorShare(share);
    },
    competitor: () => competing,
    clear() {
      windows.clear();
    },
  };
}

function roll(window: FixedWindow, index: number): void {
  if (window.index === index) return;
  window.index = index;
  window.count = 0;
}

function validCompetitorShare(share: number): number {
  if (!(share >= 0 && share < 1)) throw new RangeError(`competitor share must be in [0, 1), got ${share}`);
  return share;
}
