/**
 * Sets of record coordinates as inclusive offset ranges per partition. Park, purge and replay remember
 * which dead letters they handled this way: a contiguous selection of 100,000 records is one range, so
 * the audit record stays small. Offsets stay below 2^53 in any real topic, so plain numbers suffice.
 */

/** Inclusive [first, last] offset ranges, sorted, non-overlapping and non-adjacent. */
export type OffsetRanges = readonly (readonly [number, number])[];

export interface PartitionRanges {
  readonly partition: number;
  readonly ranges: OffsetRanges;
}

/** Builds ranges from offsets in any order (duplicates allowed). */
export function toRanges(offsets: Iterable<number>): OffsetRanges {
  const sorted = [...new Set(offsets)].sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const offset of sorted) {
    const last = ranges[ranges.length - 1];
    if (last !== undefined && offset === last[1] + 1) last[1] = offset;
    else ranges.push([offset, offset]);
  }
  return ranges;
}

export function rangesContain(ranges: OffsetRanges, offset: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const range = ranges[middle];
    if (range === undefined) return false;
    if (offset < range[0]) high = middle - 1;
    else if (offset > range[1]) low = middle + 1;
    else return true;
  }
  return false;
}

export function countRanges(ranges: OffsetRanges): number {
  return ranges.reduce((sum, [first, last]) => sum + (last - first + 1), 0);
}

/** Collects offsets per partition as records are handled, then yields the ranges. */
export function createCoordinateCollector(): {
  add(partition: number, offset: number): void;
  ranges(): PartitionRanges[];
  readonly size: number;
} {
  const byPartition = new Map<number, number[]>();
  let size = 0;
  return {
    add(partition, offset) {
      const offsets = byPartition.get(partition) ?? [];
      offsets.push(offset);
      byPartition.set(partition, offsets);
      size += 1;
    },
    ranges() {
      return [...byPartition.entries()]
        .sort(([a], [b]) => a - b)
        .map(([partition, offsets]) => ({ partition, ranges: toRanges(offsets) }));
    },
    get size() {
      return size;
    },
  };
}

/** A lookup of handled coordinates for one topic: partition → ranges, merged from many audit records. */
export interface HandledIndex {
  has(partition: number, offset: number): boolean;
}

export function createHandledIndex(sets: readonly (readonly PartitionRanges[])[]): HandledIndex {
  const offsetsByPartition = new Map<number, [number, number][]>();
  for (const set of sets) {
    for (const { partition, ranges } of set) {
      const list = offsetsByPartition.get(partition) ?? [];
      list.push(...ranges.map(([first, last]): [number, number] => [first, last]));
      offsetsByPartition.set(partition, list);
    }
  }
  const merged = new Map<number, OffsetRanges>();
  for (const [partition, list] of offsetsByPartition) merged.set(partition, mergeRanges(list));
  return { has: (partition, offset) => rangesContain(merged.get(partition) ?? [], offset) };
}

function mergeRanges(list: [number, number][]): OffsetRanges {
  const sorted = [...list].sort((a, b) => a[0] - b[0]);
  const result: [number, number][] = [];
  for (const [first, last] of sorted) {
    const previous = result[result.length - 1];
    if (previous !== undefined && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else result.push([first, last]);
  }
  return result;
}
