import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSlidingWindow, type StepMeter } from './sliding-window.ts';

/**
 * The sliding log as first written (a scan of every entry on each call, a sort for waitMs): the
 * specification the FIFO implementation must agree with, call for call.
 */
function referenceWindow(windowMs: number) {
  let entries: { end: number }[] = [];
  const expire = (now: number) => {
    entries = entries.filter((entry) => entry.end > now - windowMs);
  };
  return {
    count(now: number) {
      expire(now);
      return entries.length;
    },
    waitMs(now: number, limit: number) {
      expire(now);
      if (entries.length < limit) return 0;
      const ends = entries
        .map((entry) => entry.end)
        .filter((end) => end !== Number.POSITIVE_INFINITY)
        .sort((a, b) => a - b);
      const blocking = ends[entries.length - limit];
      return blocking === undefined ? 5 : Math.max(1, blocking + windowMs - now + 1);
    },
    record(now: number, open = false) {
      const entry = { end: open ? Number.POSITIVE_INFINITY : now };
      entries.push(entry);
      return {
        close(closedAt: number) {
          entry.end = Math.max(entry.end === Number.POSITIVE_INFINITY ? closedAt : entry.end, closedAt);
        },
      };
    },
    clear() {
      entries = [];
    },
  };
}

type Operation =
  | { kind: 'advance'; ms: number }
  | { kind: 'record'; open: boolean }
  | { kind: 'close'; which: number }
  | { kind: 'count' }
  | { kind: 'wait'; limit: number }
  | { kind: 'clear' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ kind: fc.constant('record' as const), open: fc.boolean() }),
  fc.record({ kind: fc.constant('close' as const), which: fc.nat() }),
  fc.record({ kind: fc.constant('count' as const) }),
  fc.record({ kind: fc.constant('wait' as const), limit: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('clear' as const) }),
);

describe('sliding window', () => {
  it('agrees with the scanning log on every call (open, closed, closed twice, cleared; one clock)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.array(operation, { maxLength: 300 }), (windowMs, ops) => {
        const window = createSlidingWindow({ limit: 10, windowMs });
        const reference = referenceWindow(windowMs);
        const handles: { close(now: number): void }[][] = [];
        let now = 0;
        for (const op of ops) {
          switch (op.kind) {
            case 'advance':
              now += op.ms;
              break;
            case 'record':
              handles.push([window.record(now, op.open), reference.record(now, op.open)]);
              break;
            case 'close':
              if (handles.length > 0) for (const handle of handles[op.which % handles.length]!) handle.close(now);
              break;
            case 'count':
              expect(window.count(now)).toBe(reference.count(now));
              break;
            case 'wait':
              expect(window.waitMs(now, op.limit)).toBe(reference.waitMs(now, op.limit));
              break;
            case 'clear':
              window.clear();
              reference.clear();
              break;
            default:
              op satisfies never;
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a slot frees one window after the answer, and an open entry blocks with a short poll', () => {
    const window = createSlidingWindow({ limit: 2, windowMs: 1_000 });
    const first = window.record(0, true);
    window.record(100);
    // One more under 2: the closed entry must expire (100 + 1,000, +1 ms past the boundary).
    expect(window.waitMs(200, 2)).toBe(901);
    // One more under 1: the open entry must go too, and its expiry is not known yet.
    expect(window.waitMs(200, 1)).toBe(5);
    first.close(3_000);
    expect(window.count(3_000)).toBe(1);
    expect(window.waitMs(3_000, 1)).toBe(1_001);
    expect(window.waitMs(4_001, 1)).toBe(0);
  });

  it('work stays linear in calls and entries with 100,000 entries in the window (amortised O(1) expiry)', () => {
    let steps = 0;
    const meter: StepMeter = { step: () => (steps += 1) };
    const entries = 100_000;
    const window = createSlidingWindow({ limit: entries, windowMs: 60_000 }, meter);
    // 100,000 answers in the first 50 s, each asked about as it arrives: a full window, checked on every grant.
    for (let index = 0; index < entries; index += 1) {
      const now = index / 2;
      window.waitMs(now, entries);
      window.record(now, true).close(now);
      window.count(now);
    }
    // Then the window slides past all of them, one millisecond at a time, with a check at each.
    for (let now = 60_000; now <= 110_001; now += 1) {
      window.waitMs(now, entries / 2);
      window.count(now);
    }
    expect(window.count(110_001)).toBe(0);
    // Each entry expires once; a scanning log would touch every entry on every one of ~350,000 calls.
    expect(steps).toBeLessThanOrEqual(entries);
    expect(steps).toBeGreaterThan(0);
  });
});
