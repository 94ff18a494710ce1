/**
 * Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"): the delay is
 * drawn uniformly from [0, min(cap, base·2^attempt)], so many partitions retrying after the same outage do
 * not hit Klaviyo (or the registry) in lock-step. Pure: the random source is injected.
 */

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 200, capMs: 30_000 };

/** Delay before retry number `attempt` (0 = first retry). `random` returns values in [0, 1). */
export function fullJitterDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/** A delay that honours a server's Retry-After when it is longer than our own backoff. */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const jittered = fullJitterDelayMs(attempt, policy, random);
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered);
}
