import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/pipeline/dispatcher/circuit-breaker.ts';

const options = { failureThreshold: 3, backoff: { baseMs: 100, capMs: 10_000 }, random: () => 0.5 };

describe('circuit breaker per endpoint family', () => {
  it('opens after the threshold of consecutive failures and only for that family', () => {
    const breaker = createCircuitBreaker<'events' | 'profiles'>(options);
    breaker.recordFailure('events', 1_000);
    breaker.recordFailure('events', 1_000);
    expect(breaker.remainingOpenMs('events', 1_000)).toBe(0);
    const delay = breaker.recordFailure('events', 1_000);
    expect(delay).toBe(200);
    expect(breaker.remainingOpenMs('events', 1_000)).toBe(200);
    expect(breaker.remainingOpenMs('events', 1_150)).toBe(50);
    expect(breaker.remainingOpenMs('profiles', 1_000)).toBe(0);
    expect([breaker.isTripped('events'), breaker.isTripped('profiles')]).toEqual([true, false]);
    // Half-open once the time has passed: still tripped (the dispatcher sends one probe), until a success.
    expect(breaker.remainingOpenMs('events', 1_200)).toBe(0);
    expect(breaker.isTripped('events')).toBe(true);
    breaker.recordSuccess('events');
    expect(breaker.isTripped('events')).toBe(false);
  });

  it('stays open at least half the backoff ceiling, however small the jitter draws', () => {
    const breaker = createCircuitBreaker<'events'>({ ...options, random: () => 0 });
    for (let failure = 0; failure < 3; failure += 1) breaker.recordFailure('events', 0);
    expect(breaker.remainingOpenMs('events', 0)).toBe(200);
    for (let failure = 0; failure < 10; failure += 1) breaker.recordFailure('events', 0);
    expect(breaker.remainingOpenMs('events', 0)).toBe(5_000);
  });

  it("opens at once for Klaviyo's Retry-After, and closes on success", () => {
    const breaker = createCircuitBreaker<'events'>(options);
    expect(breaker.recordFailure('events', 0, 5_000)).toBe(5_000);
    expect(breaker.remainingOpenMs('events', 1_000)).toBe(4_000);
    breaker.recordSuccess('events');
    expect(breaker.remainingOpenMs('events', 1_000)).toBe(0);
  });
});
