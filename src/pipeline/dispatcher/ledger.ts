/**
 * What the dispatcher knows about one partition it reads (of `klaviyo.requests` or of its retry topic), as
 * a pure data structure: the requests admitted from Kafka and not yet settled, each profile's queue of
 * them in offset order, the attempts and the time each may next be tried, and the commit point (the first
 * unsettled offset). The Kafka loop feeds it records and outcomes; it answers what may go out now, what
 * must be handed to the retry topic and what may be committed. No I/O, no clock: times are arguments.
 *
 * Per-profile order lives here and only here: a wave holds at most one request per profile, and only the
 * earliest unsettled one of that profile, so nothing overtakes a request that is waiting to be retried.
 */

export interface LedgerRecord<T> {
  readonly offset: string;
  readonly profileKey: string;
  readonly item: T;
  /** The Kafka timestamp (epoch ms): how old the oldest unsettled request is. */
  readonly timestampMs: number;
  /** Not to be tried before this (epoch ms): a retry record's next-attempt time. */
  readonly notBeforeMs?: number;
  /** Attempts already made before this record was admitted (a retry record carries them in headers). */
  readonly attempts?: number;
  readonly firstFailedAtMs?: number;
}

export interface LedgerEntry<T> {
  readonly offset: bigint;
  readonly profileKey: string;
  readonly item: T;
  readonly timestampMs: number;
  /** Delivery attempts so far (each one a call to Klaviyo that came back with a transient failure). */
  attempts: number;
  firstFailedAtMs: number | undefined;
  /** Epoch ms before which this entry is not tried (backoff, or a retry record not yet due). */
  notBeforeMs: number;
}

export interface PartitionLedger<T> {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to admit (one past the highest admitted), undefined before the first admission. */
  nextOffset(): bigint | undefined;
  /**
   * Admits records in offset order, skipping offsets already admitted, up to `room` new entries. Returns
   * the highest offset admitted (to resolve in kafkajs, so that the fetch moves on), if any.
   */
  admit(records: readonly LedgerRecord<T>[], room?: number): string | undefined;
  /** Delivered, dead-lettered or handed to the retry topic: gone from the ledger. */
  settle(offset: bigint): void;
  /** A transient failure: one more attempt, and the entry (with its profile behind it) waits until `retryAtMs`. */
  fail(offset: bigint, nowMs: number, retryAtMs: number): LedgerEntry<T> | undefined;
  /**
   * The requests that may go out now: the earliest unsettled entry of each profile that is due and that
   * `eligible` accepts (for example: its endpoint's circuit is closed, it has no request in the retry
   * topic), in offset order, at most `limit`.
   */
  wave(nowMs: number, limit: number, eligible?: (entry: LedgerEntry<T>) => boolean): LedgerEntry<T>[];
  /** Every unsettled entry of `profileKey`, in offset order (to hand them to the retry topic together). */
  entriesOf(profileKey: string): LedgerEntry<T>[];
  /** Profiles that have an unsettled entry here. */
  profiles(): IterableIterator<string>;
  hasProfile(profileKey: string): boolean;
  /** The offset to commit: the first unsettled one, or the next offset when all admitted are settled. */
  commitPoint(): bigint | undefined;
  /** When the earliest waiting profile head becomes due (epoch ms), or undefined when none waits. */
  nextDueMs(): number | undefined;
  size(): number;
  /** Every unsettled entry, in offset order. */
  entries(): IterableIterator<LedgerEntry<T>>;
  /** Kafka timestamp of the oldest unsettled entry. */
  oldestTimestampMs(): number | undefined;
}

export function createPartitionLedger<T>(topic: string, partition: number): PartitionLedger<T> {
  /** Unsettled entries by offset; a Map iterates in insertion (= offset) order, even after deletions. */
  const entries = new Map<bigint, LedgerEntry<T>>();
  /** Each profile's unsettled offsets, ascending. */
  const queues = new Map<string, bigint[]>();
  let next: bigint | undefined;

  function head(profileKey: string): LedgerEntry<T> | undefined {
    const queue = queues.get(profileKey);
    return queue === undefined ? undefined : entries.get(queue[0]!);
  }

  return {
    topic,
    partition,
    nextOffset: () => next,
    admit(records, room = Number.POSITIVE_INFINITY) {
      let admitted: string | undefined;
      let left = room;
      for (const record of records) {
        const offset = BigInt(record.offset);
        if (next !== undefined && offset < next) continue;
        if (left <= 0) break;
        left -= 1;
        entries.set(offset, {
          offset,
          profileKey: record.profileKey,
          item: record.item,
          timestampMs: record.timestampMs,
          attempts: record.attempts ?? 0,
          firstFailedAtMs: record.firstFailedAtMs,
          notBeforeMs: record.notBeforeMs ?? 0,
        });
        const queue = queues.get(record.profileKey);
        if (queue) queue.push(offset);
        else queues.set(record.profileKey, [offset]);
        next = offset + 1n;
        admitted = record.offset;
      }
      return admitted;
    },
    settle(offset) {
      const entry = entries.get(offset);
      if (!entry) return;
      entries.delete(offset);
      const queue = queues.get(entry.profileKey)!;
      const index = queue.indexOf(offset);
      if (index >= 0) queue.splice(index, 1);
      if (queue.length === 0) queues.delete(entry.profileKey);
    },
    fail(offset, nowMs, retryAtMs) {
      const entry = entries.get(offset);
      if (!entry) return undefined;
      entry.attempts += 1;
      entry.firstFailedAtMs ??= nowMs;
      entry.notBeforeMs = retryAtMs;
      return entry;
    },
    wave(nowMs, limit, eligible = () => true) {
      const wave: LedgerEntry<T>[] = [];
      for (const queue of queues.values()) {
        const entry = entries.get(queue[0]!)!;
        if (entry.notBeforeMs <= nowMs && eligible(entry)) wave.push(entry);
      }
      wave.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
      return wave.slice(0, limit);
    },
    entriesOf(profileKey) {
      return (queues.get(profileKey) ?? []).map((offset) => entries.get(offset)!);
    },
    profiles: () => queues.keys(),
    hasProfile: (profileKey) => queues.has(profileKey),
    commitPoint() {
      const first = entries.keys().next();
      return first.done ? next : first.value;
    },
    nextDueMs() {
      let due: number | undefined;
      for (const profileKey of queues.keys()) {
        const entry = head(profileKey)!;
        if (due === undefined || entry.notBeforeMs < due) due = entry.notBeforeMs;
      }
      return due;
    },
    size: () => entries.size,
    entries: () => entries.values(),
    oldestTimestampMs() {
      const first = entries.values().next();
      return first.done ? undefined : first.value.timestampMs;
    },
  };
}

export interface HandOffPolicy {
  /** Attempts at the head of its partition before a request moves to the retry topic. */
  readonly attempts: number;
  /** …or time since its first failure, whichever comes first. */
  readonly afterMs: number;
}

/** Whether a request that just failed transiently should leave the head of its outbound partition. */
export function shouldHandOff(
  entry: Pick<LedgerEntry<unknown>, 'attempts' | 'firstFailedAtMs'>,
  nowMs: number,
  policy: HandOffPolicy,
): boolean {
  return entry.attempts >= policy.attempts || nowMs - (entry.firstFailedAtMs ?? nowMs) >= policy.afterMs;
}

/** Whether a request has been failing long enough to be dead-lettered (RELAY_RETRY_MAX_AGE_MS). */
export function isExpired(
  entry: Pick<LedgerEntry<unknown>, 'firstFailedAtMs'>,
  nowMs: number,
  maxAgeMs: number,
): boolean {
  return entry.firstFailedAtMs !== undefined && nowMs - entry.firstFailedAtMs >= maxAgeMs;
}
