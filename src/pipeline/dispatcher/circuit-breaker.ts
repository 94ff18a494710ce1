/**
 * A circuit breaker per endpoint family. After `failureThreshold` consecutive transient failures the
 * circuit opens for a jittered backoff of at least half its ceiling, which grows with each consecutive
 * opening (or for Klaviyo's Retry-After when longer); while open, the dispatcher does not call Klaviyo for that family at all, so
 * an outage costs one probe per backoff instead of one request per record. Pure: the clock is an argument.
 */
import { retryDelayMs, type BackoffPolicy } from '../../backoff.ts';

export interface CircuitBreaker<K extends string> {
  /** Milliseconds until `key` may be tried again; 0 when closed (or half-open: one probe allowed). */
  remainingOpenMs(key: K, nowMs: number): number;
  /** True from the threshold's failure until a success: while open, and half-open (one probe at a time). */
  isTripped(key: K): boolean;
  recordSuccess(key: K): void;
  /** Returns the delay before the next attempt. */
  recordFailure(key: K, nowMs: number, retryAfterMs?: number): number;
}

export interface CircuitBreakerOptions {
  readonly failureThreshold: number;
  readonly backoff: BackoffPolicy;
  readonly random?: () => number;
}

export function createCircuitBreaker<K extends string>(options: CircuitBreakerOptions): CircuitBreaker<K> {
  const failures = new Map<K, number>();
  const openUntil = new Map<K, number>();
  return {
    remainingOpenMs(key, nowMs) {
      return Math.max(0, (openUntil.get(key) ?? 0) - nowMs);
    },
    isTripped(key) {
      return (failures.get(key) ?? 0) >= options.failureThreshold;
    },
    recordSuccess(key) {
      failures.delete(key);
      openUntil.delete(key);
    },
    recordFailure(key, nowMs, retryAfterMs) {
      const count = (failures.get(key) ?? 0) + 1;
      failures.set(key, count);
      const delay = retryDelayMs(count - 1, retryAfterMs, options.backoff, options.random);
      if (count >= options.failureThreshold || retryAfterMs !== undefined) {
        // Open for at least half the backoff's ceiling ("equal jitter"): full jitter alone could reopen it
        // after a few milliseconds, and an outage would cost a probe every few milliseconds.
        const ceiling = Math.min(options.backoff.capMs, options.backoff.baseMs * 2 ** Math.min(30, count - 1));
        openUntil.set(key, nowMs + Math.max(delay, Math.floor(ceiling / 2)));
      }
      return delay;
    },
  };
}
