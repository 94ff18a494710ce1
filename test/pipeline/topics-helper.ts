/** Creates a test's topics the way the relay does on start (ensureTopics), with few partitions. */
import type { Kafka } from 'kafkajs';
import { ensureTopics, relayTopics } from '../../src/pipeline/topics.ts';

export async function createTopicsFor(
  kafka: Kafka,
  layout: { sourceTopics: readonly string[]; outboundTopic: string; partitions: number },
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      relayTopics({
        sourceTopics: layout.sourceTopics,
        outboundTopic: layout.outboundTopic,
        auditTopic: `${layout.outboundTopic}.audit`,
      }),
      { partitions: layout.partitions, replication: -1 },
    );
  } finally {
    await admin.disconnect();
  }
}
