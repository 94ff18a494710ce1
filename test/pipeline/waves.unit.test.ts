import { describe, expect, it } from 'vitest';
import { commitOffsetAfter, nextWave } from '../../src/pipeline/dispatcher/waves.ts';

const entries = [
  { offset: '10', profileKey: 'a', item: 'a1' },
  { offset: '11', profileKey: 'b', item: 'b1' },
  { offset: '12', profileKey: 'a', item: 'a2' },
  { offset: '13', profileKey: 'c', item: 'c1' },
  { offset: '14', profileKey: 'b', item: 'b2' },
];

describe('nextWave keeps each profile in order', () => {
  it('takes the earliest unsettled request of every profile', () => {
    expect(nextWave(entries, new Set(), new Set(), 10).map((entry) => entry.item)).toEqual(['a1', 'b1', 'c1']);
    expect(nextWave(entries, new Set(['10', '11', '13']), new Set(), 10).map((entry) => entry.item)).toEqual([
      'a2',
      'b2',
    ]);
  });

  it("never lets a blocked profile's later request overtake the blocked one", () => {
    const wave = nextWave(entries, new Set(['11']), new Set(['a']), 10);
    expect(wave.map((entry) => entry.item)).toEqual(['c1', 'b2']);
  });

  it('respects the wave size limit', () => {
    expect(nextWave(entries, new Set(), new Set(), 2).map((entry) => entry.item)).toEqual(['a1', 'b1']);
  });
});

describe('commitOffsetAfter', () => {
  const offsets = ['10', '11', '12', '13'];
  it('commits up to the first unsettled offset', () => {
    expect(commitOffsetAfter(offsets, new Set(['10', '11', '13']))).toBe('12');
  });
  it('commits past the last offset when everything is settled', () => {
    expect(commitOffsetAfter(offsets, new Set(offsets))).toBe('14');
  });
  it('commits nothing new when the first offset is unsettled', () => {
    expect(commitOffsetAfter(offsets, new Set(['11']))).toBe('10');
    expect(commitOffsetAfter([], new Set())).toBeUndefined();
  });
});
