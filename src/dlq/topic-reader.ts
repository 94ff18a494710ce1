/**
 * Reads a topic from its start to the end it had when the read began (a snapshot of its high watermarks),
 * then stops: what `list`, `show`, `audit` and the replay planner need. Uses a throwaway consumer group it
 * deletes afterwards. Reads committed records only, so records of an aborted replay are never seen.
 */
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { RelayError } from '../errors.ts';
import type { DeadLetterRecord } from './record-view.ts';
import { ensureTopics } from '../pipeline/topics.ts';

export interface PartitionBounds {
  readonly partition: number;
  /** First offset still in the log. */
  readonly low: number;
  /** Offset after the last record (the high watermark at snapshot time). */
  readonly high: number;
}

export interface TopicSnapshot {
  readonly topic: string;
  readonly partitions: readonly PartitionBounds[];
}

/** The topic's bounds now, or undefined when the topic does not exist. */
export async function snapshotTopic(admin: Admin, topic: string): Promise<TopicSnapshot | undefined> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) return undefined;
  const offsets = await admin.fetchTopicOffsets(topic);
  return {
    topic,
    partitions: offsets
      .map((entry) => ({ partition: entry.partition, low: Number(entry.low), high: Number(entry.high) }))
      .sort((a, b) => a.partition - b.partition),
  };
}

export interface ReadOptions {
  /** Start offsets per partition (default: each partition's low watermark). */
  readonly from?: ReadonlyMap<number, number>;
  /** End offsets (exclusive) per partition (default: the snapshot's high watermarks). */
  readonly to?: ReadonlyMap<number, number>;
  /** Give up when no progress is made for this long (a broker that went away). */
  readonly stallTimeoutMs?: number;
}

/** Calls `onRecord` for every committed record between the bounds, in offset order per partition. */
export async function readSnapshot(
  kafka: Kafka,
  snapshot: TopicSnapshot,
  onRecord: (record: DeadLetterRecord) => void,
  options: ReadOptions = {},
): Promise<void> {
  const ends = new Map<number, number>();
  for (const bounds of snapshot.partitions) {
    const start = Math.max(bounds.low, options.from?.get(bounds.partition) ?? bounds.low);
    const end = Math.min(bounds.high, options.to?.get(bounds.partition) ?? bounds.high);
    if (end > start) ends.set(bounds.partition, end);
  }
  if (ends.size === 0) return;
  const groupId = `relay-dlq-reader-${randomUUID()}`;
  const consumer = deadLetterConsumer(kafka, groupId);
  let lastProgress = Date.now();
  const tracker = trackPartitionEnds(consumer, snapshot.topic, ends, ends.keys(), () => {
    lastProgress = Date.now();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [snapshot.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset >= end) break;
          if (offset < (options.from?.get(batch.partition) ?? 0)) continue;
          onRecord({
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            timestamp: message.timestamp,
            key: message.key ?? null,
            value: message.value,
            headers: message.headers ?? {},
          });
        }
        tracker.reached(batch.partition, Number(batch.lastOffset()));
        await Promise.resolve();
      },
    });
    // Partitions that start past `from` are sought there once assigned.
    for (const [partition, start] of options.from ?? []) {
      if (ends.has(partition)) consumer.seek({ topic: snapshot.topic, partition, offset: String(start) });
    }
    const stallTimeoutMs = options.stallTimeoutMs ?? 60_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (Date.now() - lastProgress > stallTimeoutMs) {
          clearInterval(timer);
          reject(
            new RelayError('KAFKA_UNAVAILABLE', `reading ${snapshot.topic} made no progress for ${stallTimeoutMs} ms`),
          );
        }
      }, 500);
      void tracker.finished.then(() => {
        clearInterval(timer);
        resolve();
      });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await deleteGroupQuietly(kafka, groupId);
  }
}

/** Which partitions of a bounded read are still short of their end offset. */
export interface PartitionEnds {
  readonly pending: ReadonlySet<number>;
  /** Settles once every partition reached its end (or `finish` was called). */
  readonly finished: Promise<void>;
  /** A batch of `partition` ended at `lastOffset`: pauses the partition when that is its end. */
  reached(partition: number, lastOffset: number): void;
  /** Ends the read early (abort, failure). */
  finish(): void;
}

/**
 * The one bounded partition reader's bookkeeping, shared by snapshot reads and the replay runner: each
 * partition is read up to its end offset (exclusive), then paused; the read is finished when none is
 * pending. Batches made only of transaction markers never reach eachBatch, so their end is taken from
 * kafkajs's END_BATCH_PROCESS event too.
 */
export function trackPartitionEnds(
  consumer: Consumer,
  topic: string,
  ends: ReadonlyMap<number, number>,
  partitions: Iterable<number>,
  onProgress: () => void = () => undefined,
): PartitionEnds {
  const pending = new Set(partitions);
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  if (pending.size === 0) finish();
  const reached = (partition: number, lastOffset: number): void => {
    onProgress();
    if (lastOffset >= (ends.get(partition) ?? 0) - 1 && pending.delete(partition)) {
      consumer.pause([{ topic, partitions: [partition] }]);
      if (pending.size === 0) finish();
    }
  };
  let ended = false;
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    // kafkajs ends a batch also when eachBatch stopped early: after an abort (Ctrl-C, the console shutting
    // down) or a failed chunk, its last offset says nothing about what was read. Counting it as reached
    // made an interrupted replay look complete and audited it as such.
    if (ended) return;
    if (event.payload.topic === topic) reached(event.payload.partition, Number(event.payload.lastOffset));
  });
  return {
    pending,
    finished,
    reached,
    finish: () => {
      ended = true;
      finish();
    },
  };
}

/** Reader groups are throwaway; a failure to delete one leaves an empty group behind, nothing worse. */
async function deleteGroupQuietly(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // best effort
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Creates the topic when it is missing (audit, parked, plan topics); harmless when it exists. The relay's
 * one topic creator (pipeline/topics.ts) does the work: create without kafkajs's failing leader wait, then
 * wait for leaders, safe to race with another instance.
 */
export async function ensureTopic(
  admin: Admin,
  topic: string,
  settings: { readonly partitions: number; readonly replication: number; readonly compacted?: boolean },
): Promise<void> {
  await ensureTopics(admin, [topic], settings, () =>
    settings.compacted === true ? [{ name: 'cleanup.policy', value: 'compact' }] : undefined,
  );
}

/** A consumer of dead-letter topics, for reading them (list, show) and for replaying them. */
export function deadLetterConsumer(kafka: Kafka, groupId: string): Consumer {
  return kafka.consumer({
    groupId,
    sessionTimeout: 6_000,
    heartbeatInterval: 1_000,
    // Short fetch waits: otherwise disconnect sits out kafkajs' default 5 s long poll.
    maxWaitTimeInMs: 250,
    // Dead letters carry ~1 KB of context headers; bigger fetches mean fewer round trips.
    maxBytesPerPartition: 8_388_608,
    maxBytes: 33_554_432,
    allowAutoTopicCreation: false,
  });
}
