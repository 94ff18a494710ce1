/**
 * Per-profile ordering inside one partition's batch, as pure functions. A "wave" holds, for every profile
 * that still has work, its earliest unsettled request; a wave's requests can go out in parallel because
 * no two of them belong to the same person. A profile whose request must be retried is blocked for the
 * rest of the batch, so nothing overtakes it. The offset to commit is the first one not settled.
 */

export interface WaveEntry<T> {
  readonly offset: string;
  readonly profileKey: string;
  readonly item: T;
}

/** The earliest unsettled entry of every unblocked profile, in offset order, at most `limit` of them. */
export function nextWave<T>(
  entries: readonly WaveEntry<T>[],
  settled: ReadonlySet<string>,
  blockedProfiles: ReadonlySet<string>,
  limit: number,
): WaveEntry<T>[] {
  const wave: WaveEntry<T>[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    if (wave.length >= limit) break;
    if (settled.has(entry.offset) || seen.has(entry.profileKey)) continue;
    // Even a blocked profile's entry is "seen": its later entries must wait behind it.
    seen.add(entry.profileKey);
    if (!blockedProfiles.has(entry.profileKey)) wave.push(entry);
  }
  return wave;
}

/**
 * The offset to commit after a batch: the first offset (in order) not settled, or one past the last
 * offset when all are. `offsets` must be ascending.
 */
export function commitOffsetAfter(offsets: readonly string[], settled: ReadonlySet<string>): string | undefined {
  let commit: string | undefined;
  for (const offset of offsets) {
    if (!settled.has(offset)) return offset;
    commit = (BigInt(offset) + 1n).toString();
  }
  return commit;
}
