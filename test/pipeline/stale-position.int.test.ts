// A partition's new owner read its start offset when it joined the group, but fences the old owner only at
// its first transaction. Whatever the old owner committed in between must not be written again: the new
// owner's first transaction re-reads the committed offset after fencing and resumes from it instead.
import { Partitioners } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { TransactionPlan } from '../../src/pipeline/projector/batch-plan.ts';
import {
  createTransactionalWriter,
  StalePositionError,
  transactionalId,
} from '../../src/pipeline/projector/transactional-writer.ts';
import { testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { quietLogger } from './support.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('stale-position-int');

function plan(outbound: string, firstOffset: string, commitOffset: string): TransactionPlan {
  return {
    topicMessages: [{ topic: outbound, messages: [{ key: 'k', value: `up to ${commitOffset}` }] }],
    firstOffset,
    commitOffset,
    requestCount: 1,
    deadLetterCount: 0,
  };
}

describe('a new owner after the old owner committed further', () => {
  it('resumes from the old owner’s commit instead of writing its records again', async () => {
    const source = { topic: uniqueName('test.source'), partition: 0 };
    const outbound = uniqueName('test.requests');
    const group = uniqueName('test-projector');
    await createTopicsFor(kafka, { sourceTopics: [source.topic], outboundTopic: outbound, partitions: 1 });

    // The old owner, same transactional id, commits offsets up to 10 after the new owner joined at 5.
    const old = kafka.producer({
      transactionalId: transactionalId(group, source),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await old.connect();
    const transaction = await old.transaction();
    await transaction.send({ topic: outbound, messages: [{ key: 'k', value: 'old owner' }] });
    await transaction.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: source.topic, partitions: [{ partition: 0, offset: '10' }] }],
    });
    await transaction.commit();

    const writer = createTransactionalWriter({ kafka, consumerGroup: group, logger: quietLogger });
    try {
      const stale = await writer.write(source, plan(outbound, '5', '12')).catch((error: unknown) => error);
      expect(stale).toBeInstanceOf(StalePositionError);
      expect((stale as StalePositionError).committedOffset).toBe('10');
      // From the committed offset on, the same producer (now fencing the old one) writes normally.
      await writer.write(source, plan(outbound, '10', '12'));
      const admin = kafka.admin();
      await admin.connect();
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [source.topic] });
      await admin.disconnect();
      expect(offsets?.partitions[0]?.offset).toBe('12');
      // The old owner is fenced: it can no longer commit.
      const fenced = await (async () => {
        const zombie = await old.transaction();
        await zombie.sendOffsets({
          consumerGroupId: group,
          topics: [{ topic: source.topic, partitions: [{ partition: 0, offset: '20' }] }],
        });
        await zombie.commit();
      })().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(fenced).toBeInstanceOf(Error);
    } finally {
      await writer.close();
      await old.disconnect().catch(() => undefined);
    }
  });
});
