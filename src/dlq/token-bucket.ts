/**
 * `--rate`: caps records per second. A token bucket whose clock and sleep are injected, so it is tested
 * without waiting. Taking more tokens than there are puts the bucket in debt and waits the debt off, which
 * keeps the long-run rate exact even when records are taken in chunks.
 */

export interface TokenBucketOptions {
  readonly ratePerSecond: number;
  /** Tokens available at once (and the most that can accumulate while idle). */
  readonly burst: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface TokenBucket {
  take(count: number): Promise<void>;
}

export function createTokenBucket(options: TokenBucketOptions): TokenBucket {
  const { ratePerSecond, burst, now, sleep } = options;
  let tokens = burst;
  let last = now();
  return {
    async take(count) {
      const current = now();
      tokens = Math.min(burst, tokens + ((current - last) * ratePerSecond) / 1_000);
      last = current;
      tokens -= count;
      if (tokens < 0) await sleep((-tokens * 1_000) / ratePerSecond);
    },
  };
}

/** No `--rate`: never waits. */
export const UNLIMITED: TokenBucket = { take: () => Promise.resolve() };
