import { describe, expect, it } from 'vitest';
import {
  DEAD_LETTER_HEADROOM_BYTES,
  ensureRelayTopics,
  maxMessageBytes,
  relayTopics,
  waitForTopicLeaders,
} from '../../src/pipeline/topics.ts';
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
      expect(partitions[`${layout.outboundTopic}.retry`]).toBe(3);
      expect(await ensureRelayTopics(admin, layout, { partitions: 3, replication: -1 })).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it("sizes each dead-letter topic it creates for its topic's largest record plus the dead letter's headers", async () => {
    const prefix = uniqueName('topics-size');
    const large = `${prefix}.commerce.order.events`;
    const layout = {
      sourceTopics: [large],
      outboundTopic: `${prefix}.klaviyo.requests`,
      auditTopic: `${prefix}.audit`,
    };
    const admin = testKafka('topics-size').admin();
    await admin.connect();
    try {
      // A domain topic an operator created for records of up to 4 MiB.
      await admin.createTopics({
        waitForLeaders: false,
        topics: [{ topic: large, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '4194304' }] }],
      });
      await waitForTopicLeaders(admin, [large]);
      await ensureRelayTopics(admin, layout, { partitions: 1, replication: -1 });
      const limits = await maxMessageBytes(admin, [
        `${large}.dlq`,
        `${large}.dlq.parked`,
        layout.outboundTopic,
        `${layout.outboundTopic}.dlq`,
        `${layout.outboundTopic}.retry`,
      ]);
      expect(limits.get(`${large}.dlq`)).toBe(4_194_304 + DEAD_LETTER_HEADROOM_BYTES);
      expect(limits.get(`${large}.dlq.parked`)).toBe(4_194_304 + DEAD_LETTER_HEADROOM_BYTES);
      const outboundLimit = limits.get(layout.outboundTopic);
      expect(outboundLimit).toBeGreaterThan(0);
      expect(limits.get(`${layout.outboundTopic}.dlq`)).toBe(outboundLimit! + DEAD_LETTER_HEADROOM_BYTES);
      expect(limits.get(`${layout.outboundTopic}.retry`)).toBe(outboundLimit! + DEAD_LETTER_HEADROOM_BYTES);
    } finally {
      await admin.disconnect();
    }
  });
});
