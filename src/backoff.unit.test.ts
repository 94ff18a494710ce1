import { describe, expect, it } from 'vitest';
import { fullJitterDelayMs, retryDelayMs } from './backoff.ts';

const policy = { baseMs: 100, capMs: 1_000 };

describe('full-jitter backoff', () => {
  it('draws from [0, base·2^attempt) and never exceeds the cap', () => {
    expect(fullJitterDelayMs(0, policy, () => 0.5)).toBe(50);
    expect(fullJitterDelayMs(2, policy, () => 0.5)).toBe(200);
    expect(fullJitterDelayMs(20, policy, () => 0.999)).toBe(999);
    expect(fullJitterDelayMs(3, policy, () => 0)).toBe(0);
  });

  it("waits at least as long as the server's Retry-After", () => {
    expect(retryDelayMs(0, 5_000, policy, () => 0.5)).toBe(5_000);
    expect(retryDelayMs(4, 10, policy, () => 0.5)).toBe(500);
    expect(retryDelayMs(1, undefined, policy, () => 0.25)).toBe(50);
  });
});
