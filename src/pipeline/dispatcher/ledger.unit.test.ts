import { describe, expect, it } from 'vitest';
import { createPartitionLedger, isExpired, shouldHandOff, type LedgerRecord } from './ledger.ts';

function records(...profiles: string[]): LedgerRecord<string>[] {
  return profiles.map((profileKey, index) => ({
    offset: String(index),
    profileKey,
    item: `${profileKey}${index}`,
    timestampMs: 1_000 + index,
  }));
}

describe('partition ledger', () => {
  it('sends one request per profile per wave, the earliest of each, in offset order', () => {
    const ledger = createPartitionLedger<string>('t', 0);
    ledger.admit(records('a', 'b', 'a', 'c', 'b'));
    expect(ledger.wave(0, 10).map((entry) => entry.item)).toEqual(['a0', 'b1', 'c3']);
    expect(ledger.wave(0, 2).map((entry) => entry.item)).toEqual(['a0', 'b1']);
    ledger.settle(0n);
    expect(ledger.wave(0, 10).map((entry) => entry.item)).toEqual(['b1', 'a2', 'c3']);
  });

  it('commits up to the first unsettled offset, and past everything once all settled', () => {
    const ledger = createPartitionLedger<string>('t', 0);
    expect(ledger.commitPoint()).toBeUndefined();
    ledger.admit(records('a', 'b', 'c'));
    ledger.settle(1n);
    ledger.settle(2n);
    expect(ledger.commitPoint()).toBe(0n);
    ledger.settle(0n);
    expect(ledger.commitPoint()).toBe(3n);
    expect(ledger.size()).toBe(0);
  });

  it('a failed request holds back its profile until due, never the others', () => {
    const ledger = createPartitionLedger<string>('t', 0);
    ledger.admit(records('a', 'a', 'b'));
    const failed = ledger.fail(0n, 5_000, 6_000);
    expect(failed).toMatchObject({ attempts: 1, firstFailedAtMs: 5_000 });
    expect(ledger.wave(5_500, 10).map((entry) => entry.item)).toEqual(['b2']);
    expect(ledger.nextDueMs()).toBe(0); // b's head is due at once
    ledger.settle(2n);
    expect(ledger.nextDueMs()).toBe(6_000);
    expect(ledger.wave(6_000, 10).map((entry) => entry.item)).toEqual(['a0']);
    ledger.fail(0n, 6_000, 7_000);
    expect(ledger.entriesOf('a').map((entry) => [entry.item, entry.attempts, entry.firstFailedAtMs])).toEqual([
      ['a0', 2, 5_000],
      ['a1', 0, undefined],
    ]);
  });

  it('skips offsets already admitted and admits no more than the room left', () => {
    const ledger = createPartitionLedger<string>('t', 3);
    expect(ledger.admit(records('a', 'b', 'c'), 2)).toBe('1');
    expect(ledger.admit(records('a', 'b', 'c', 'd'))).toBe('3');
    expect(ledger.size()).toBe(4);
    expect(ledger.admit(records('a', 'b'))).toBeUndefined();
    expect(ledger.nextOffset()).toBe(4n);
  });

  it('leaves out what `eligible` refuses and what is not due yet, and reports the oldest timestamp', () => {
    const ledger = createPartitionLedger<string>('t', 0);
    ledger.admit([
      {
        offset: '7',
        profileKey: 'a',
        item: 'a7',
        timestampMs: 10,
        notBeforeMs: 9_000,
        attempts: 3,
        firstFailedAtMs: 1,
      },
      { offset: '8', profileKey: 'b', item: 'b8', timestampMs: 20 },
      { offset: '9', profileKey: 'c', item: 'c9', timestampMs: 30 },
    ]);
    expect(ledger.wave(0, 10, (entry) => entry.profileKey !== 'c').map((entry) => entry.item)).toEqual(['b8']);
    expect(ledger.wave(9_000, 10).map((entry) => entry.item)).toEqual(['a7', 'b8', 'c9']);
    expect(ledger.oldestTimestampMs()).toBe(10);
    expect([...ledger.profiles()]).toEqual(['a', 'b', 'c']);
    expect(ledger.hasProfile('a')).toBe(true);
    ledger.settle(7n);
    expect(ledger.hasProfile('a')).toBe(false);
    expect(ledger.oldestTimestampMs()).toBe(20);
  });
});

describe('retry policies', () => {
  it('hands a request off after the attempts bound or the time bound, whichever comes first', () => {
    const policy = { attempts: 3, afterMs: 5_000 };
    expect(shouldHandOff({ attempts: 2, firstFailedAtMs: 1_000 }, 2_000, policy)).toBe(false);
    expect(shouldHandOff({ attempts: 3, firstFailedAtMs: 1_000 }, 2_000, policy)).toBe(true);
    expect(shouldHandOff({ attempts: 1, firstFailedAtMs: 1_000 }, 6_000, policy)).toBe(true);
  });

  it('expires a request only once it has been failing for the maximum age', () => {
    expect(isExpired({ firstFailedAtMs: undefined }, 10 ** 12, 1_000)).toBe(false);
    expect(isExpired({ firstFailedAtMs: 1_000 }, 1_999, 1_000)).toBe(false);
    expect(isExpired({ firstFailedAtMs: 1_000 }, 2_000, 1_000)).toBe(true);
  });
});
