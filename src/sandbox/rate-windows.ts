/**
 * Klaviyo's rate limits as the sandbox enforces them: per endpoint family, a burst and a steady sliding
 * window at once. A request over either gets a 429 with Retry-After (whole seconds, rounded up, so a client
 * that honours it is never early); every answer carries RateLimit-Limit/Remaining/Reset.
 */
import type { RateFamily } from '../klaviyo/contract/operations.ts';
import { createSlidingWindow, type SlidingWindow } from '../klaviyo/rate-limit/sliding-window.ts';

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
  readonly headers: Record<string, string>;
  /** Whole seconds, for a 429's Retry-After. */
  readonly retryAfterSeconds: number;
}

export interface RateWindows {
  admit(family: RateFamily, now: number): AdmissionResult;
  setLimits(family: RateFamily, limits: SandboxLimits): void;
  limits(): Readonly<Record<RateFamily, SandboxLimits>>;
  clear(): void;
}

export function createRateWindows(
  initial: Readonly<Record<RateFamily, SandboxLimits>>,
  lengths: WindowLengths = { burstMs: 1_000, steadyMs: 60_000 },
): RateWindows {
  const current: Record<RateFamily, SandboxLimits> = { ...initial };
  const windows = new Map<RateFamily, { burst: SlidingWindow; steady: SlidingWindow }>();
  function windowsOf(family: RateFamily) {
    let pair = windows.get(family);
    if (!pair) {
      pair = {
        burst: createSlidingWindow({ limit: current[family].perSecond, windowMs: lengths.burstMs }),
        steady: createSlidingWindow({ limit: current[family].perMinute, windowMs: lengths.steadyMs }),
      };
      windows.set(family, pair);
    }
    return pair;
  }
  return {
    admit(family, now) {
      const limits = current[family];
      const { burst, steady } = windowsOf(family);
      const burstWait = burst.waitMs(now, limits.perSecond);
      const steadyWait = steady.waitMs(now, limits.perMinute);
      const admitted = burstWait === 0 && steadyWait === 0;
      if (admitted) {
        burst.record(now);
        steady.record(now);
      }
      const burstRemaining = Math.max(0, limits.perSecond - burst.count(now));
      const steadyRemaining = Math.max(0, limits.perMinute - steady.count(now));
      const bindingIsSteady = steadyRemaining < burstRemaining || steadyWait > burstWait;
      // After an admission, the reset is when the next request would fit; after a refusal, when this one would.
      const waitMs = admitted
        ? Math.max(burst.waitMs(now, limits.perSecond), steady.waitMs(now, limits.perMinute))
        : Math.max(burstWait, steadyWait);
      const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(burstWait, steadyWait) / 1000));
      return {
        admitted,
        retryAfterSeconds,
        headers: {
          'ratelimit-limit': `${bindingIsSteady ? limits.perMinute : limits.perSecond}, ${limits.perSecond};w=${lengths.burstMs / 1000}, ${limits.perMinute};w=${lengths.steadyMs / 1000}`,
          'ratelimit-remaining': String(Math.min(burstRemaining, steadyRemaining)),
          'ratelimit-reset': String(Math.ceil(waitMs / 1000)),
        },
      };
    },
    setLimits(family, limits) {
      current[family] = limits;
    },
    limits: () => current,
    clear() {
      windows.clear();
    },
  };
}
