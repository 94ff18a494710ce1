// Creates a scenario's topics (the relay's whole layout) before the relay starts, so traffic can be sent
// first. Leaders are awaited with the relay's own waitForTopicLeaders (kafkajs's waitForLeaders gives up on
// KRaft's transient "This server does not host this topic-partition" after a create).
import type { Kafka } from 'kafkajs';
import { relayTopics, waitForTopicLeaders } from '../../../src/pipeline/topics.ts';
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
      waitForLeaders: false,
      topics: topics.map((topic) => ({
        topic,
        numPartitions: partitions,
        configEntries: Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitForTopicLeaders(admin, topics, 30_000);
  } finally {
    await admin.disconnect();
  }
}
