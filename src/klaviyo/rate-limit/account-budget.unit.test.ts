import { describe, expect, it } from 'vitest';
import { createAccountBudget } from './account-budget.ts';
import type { RateLimitObservation } from './headers.ts';

const answer = (remaining: number, resetSeconds: number): RateLimitObservation => ({
  limit: 3_500,
  remaining,
  resetSeconds,
  policies: [],
});

describe("the account's budget from Klaviyo's answers", () => {
  it('what is left: Remaining, less our requests on the wire and our grants since', () => {
    const budget = createAccountBudget({ windowMs: 60_000 });
    budget.observe(0, answer(100, 59), 4);
    budget.recordGrant(10);
    expect(budget.snapshot(10)).toMatchObject({ remaining: 100, available: 95 });
    expect(budget.waitMs(10, 0, false)).toBe(0);
    expect(budget.waitMs(10, 95, false)).toBe(59_000 - 10);
  });

  it('an answer that overtook a later one gives back nothing: within a window the count only grows', () => {
    const budget = createAccountBudget({ windowMs: 60_000 });
    budget.observe(0, answer(50, 59), 0);
    budget.observe(100, answer(80, 59), 0);
    expect(budget.snapshot(100)!.available).toBe(50);
  });

  it('the reset: answers of one window narrow it; the budget renews only after the latest possible reset', () => {
    const budget = createAccountBudget({ windowMs: 60_000 });
    budget.observe(0, answer(10, 30), 0); // reset in (29 s, 30 s]
    budget.observe(700, answer(9, 30), 0); // reset in (29.7 s, 30 s]
    budget.observe(1_200, answer(8, 29), 0); // reset in (29.7 s, 30.2 s] → (29.7 s, 30 s]
    expect(budget.snapshot(1_200)!.resetInMs).toBe(30_000 - 1_200);
    expect(budget.snapshot(30_000)).toBeUndefined();
  });

  it('others’ recent rate is left to them: pace what remains after their projected spend over the time left', () => {
    const budget = createAccountBudget({ windowMs: 60_000 });
    // Nothing of ours in the window; Remaining falls by 30/s: someone else spends 30/s.
    for (let second = 1; second <= 10; second += 1)
      budget.observe(second * 1_000, answer(3_500 - 30 * second, 60 - second), 0);
    const snapshot = budget.snapshot(10_000)!;
    expect(snapshot.othersPerSecond).toBeCloseTo(30, 5);
    // 3,200 left, 1,500 projected for the others over 50 s: 1,700 for us over 50 s, one per ~29.4 ms.
    expect(budget.paceIntervalMs(10_000, 0)).toBeCloseTo(50_000 / 1_700, 5);
  });

  it('the steady quota comes from the `;w=` policy of the steady window when there is one, else the leading number', () => {
    const budget = createAccountBudget({ windowMs: 60_000 });
    budget.observe(
      0,
      {
        limit: 350,
        remaining: 100,
        resetSeconds: 59,
        policies: [
          { limit: 350, windowSeconds: 1 },
          { limit: 3_500, windowSeconds: 60 },
        ],
      },
      0,
    );
    expect(budget.snapshot(0)!.limit).toBe(3_500);
  });
});
