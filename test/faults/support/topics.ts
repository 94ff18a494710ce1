// Creates a scenario's topics (the relay's whole layout) before the relay starts, so traffic can be sent
// first. Not kafkajs's waitForLeaders: on a fresh KRaft broker it can fail with "This server does not host
// this topic-partition" for a moment after the create (see test/support/kafka-test-kit.ts); poll instead.
import type { Kafka } from 'kafkajs';
import { relayTopics } from '../../../src/pipeline/topics.ts';
import type { RelayLayout } from './relay-process.ts';

export async function createLayoutTopics(
  kafka: Kafka,
  layout: RelayLayout,
  partitions: number,
  /** Topic configs per topic name, e.g. a larger max.message.bytes for the bad-input corpus. */
  configs: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<void> {
  const topics = relayTopics({
    sourceTopics: [layout.sourceTopic],
    outboundTopic: layout.outboundTopic,
    auditTopic: `${layout.outboundTopic}.audit`,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({
        topic,
        numPartitions: partitions,
        configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await admin
        .fetchTopicMetadata({ topics })
        .then(({ topics: found }) =>
          found.every((t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0)),
        )
        .catch(() => false);
      if (ready) return;
      if (Date.now() > deadline) throw new Error(`topics of ${layout.sourceTopic} have no leaders after 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
