/** Kafka plumbing the benchmarks share: a quiet client, per-run topics, end offsets, committed offsets. */
import kafkajs from 'kafkajs';
import type { Admin, Kafka as KafkaClient } from 'kafkajs';
import { waitForTopicLeaders } from '../../src/pipeline/topics.ts';

const { Kafka, logLevel } = kafkajs;

export function benchKafka(brokers: string, clientId: string): KafkaClient {
  return new Kafka({ clientId, brokers: brokers.split(','), logLevel: logLevel.ERROR, retry: { retries: 8 } });
}

/**
 * Creates `topics` and waits until every partition has a leader (a fresh KRaft topic needs a moment).
 * kafkajs's own `waitForLeaders` is off: it gives up on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker
 * answers for a moment after a create (it crashed a full benchmark run); the relay's waitForTopicLeaders polls.
 */
export async function createTopics(admin: Admin, topics: readonly string[], partitions: number): Promise<void> {
  await admin.createTopics({
    waitForLeaders: false,
    topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
  });
  await waitForTopicLeaders(admin, topics, 30_000);
}

export type EndOffsets = ReadonlyMap<string, readonly { partition: number; offset: bigint }[]>;

export async function endOffsets(admin: Admin, topics: readonly string[]): Promise<EndOffsets> {
  const entries = await Promise.all(
    topics.map(
      async (topic) =>
        [
          topic,
          (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, offset: BigInt(p.high) })),
        ] as const,
    ),
  );
  return new Map(entries);
}

/** True when `group` has committed, on every partition, at least the end offset in `ends`. */
export async function committedReached(admin: Admin, group: string, ends: EndOffsets): Promise<boolean> {
  const committed = await admin.fetchOffsets({ groupId: group, topics: [...ends.keys()] });
  for (const { topic, partitions } of committed) {
    const byPartition = new Map(partitions.map((p) => [p.partition, BigInt(p.offset)]));
    for (const end of ends.get(topic) ?? []) {
      if ((byPartition.get(end.partition) ?? -1n) < end.offset) return false;
    }
  }
  return true;
}

export function sumOffsets(ends: EndOffsets): number {
  let total = 0n;
  for (const partitions of ends.values()) for (const p of partitions) total += p.offset;
  return Number(total);
}
