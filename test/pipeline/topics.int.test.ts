import { describe, expect, it } from 'vitest';
import { ensureRelayTopics, relayTopics } from '../../src/pipeline/topics.ts';
import { testKafka, uniqueName } from '../support/kafka-test-kit.ts';

describe('ensureRelayTopics on the real broker', () => {
  it('creates every missing topic once, the audit log with one partition, and is idempotent', async () => {
    const prefix = uniqueName('topics');
    const layout = {
      sourceTopics: [`${prefix}.identity.account.events`],
      outboundTopic: `${prefix}.klaviyo.requests`,
      auditTopic: `${prefix}.audit`,
    };
    const admin = testKafka('topics-int').admin();
    await admin.connect();
    try {
      const created = await ensureRelayTopics(admin, layout, { partitions: 3, replication: -1 });
      expect([...created].sort()).toEqual([...relayTopics(layout)].sort());
      const metadata = await admin.fetchTopicMetadata({ topics: created });
      const partitions = Object.fromEntries(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
      expect(partitions[layout.auditTopic]).toBe(1);
      expect(partitions[`${layout.outboundTopic}.dlq.parked`]).toBe(3);
      expect(partitions[layout.sourceTopics[0]!]).toBe(3);
      expect(await ensureRelayTopics(admin, layout, { partitions: 3, replication: -1 })).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
