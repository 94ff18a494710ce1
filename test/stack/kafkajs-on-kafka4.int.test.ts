// kafkajs 2.2.4 predates Kafka 4, which dropped many old protocol versions (KIP-896) and changed the
// group and transaction protocols' defaults. These are the features the relay relies on, each proven
// against the real broker: consumer groups that commit and resume, the idempotent producer, and
// transactions that carry consumer offsets or are aborted out of sight.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeUntil, createTopics, testConsumer, testKafka, uniqueName } from '../support/kafka-test-kit.ts';

const kafka = testKafka('stack-kafkajs-compat');
const topics = {
  group: uniqueName('stacktest.group'),
  idempotent: uniqueName('stacktest.idempotent'),
  txIn: uniqueName('stacktest.tx-in'),
  txOut: uniqueName('stacktest.tx-out'),
  aborted: uniqueName('stacktest.aborted'),
};

function texts(values: readonly (Buffer | null)[]): string[] {
  return values.map((value) => value?.toString() ?? '<null>');
}

async function produce(topic: string, values: readonly string[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates from a retried send
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ key: value, value })) });
  await producer.disconnect();
}

describe('kafkajs 2.2.4 against Kafka 4', () => {
  beforeAll(async () => {
    await createTopics(kafka, Object.values(topics));
  });

  it('consumer groups join, commit, and a rejoining member resumes after the committed offset', async () => {
    const groupId = uniqueName('stacktest.group');
    await produce(topics.group, ['a1', 'a2', 'a3']);
    const first = await consumeUntil(testConsumer(kafka, { groupId }), { topics: [topics.group], count: 3 });
    expect(texts(first.map((m) => m.value))).toEqual(['a1', 'a2', 'a3']);

    // Offsets were auto-committed on the way out (disconnect commits what was processed).
    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topics.group] });
    await admin.disconnect();
    expect(committed?.partitions[0]?.offset).toBe('3');

    await produce(topics.group, ['b1', 'b2']);
    const second = await consumeUntil(testConsumer(kafka, { groupId }), {
      topics: [topics.group],
      count: 2,
      settleMs: 500,
    });
    expect(texts(second.map((m) => m.value))).toEqual(['b1', 'b2']);
  });

  it('the idempotent producer writes each message once', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const values = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await producer.send({ topic: topics.idempotent, acks: -1, messages: values.map((value) => ({ value })) });
    await producer.disconnect();

    const received = await consumeUntil(testConsumer(kafka, { groupId: uniqueName('stacktest.idempotent') }), {
      topics: [topics.idempotent],
      count: values.length,
      settleMs: 500,
    });
    expect(texts(received.map((m) => m.value))).toEqual(values);
  });

  it('a transaction commits produced records together with the consumer offsets (sendOffsets)', async () => {
    const groupId = uniqueName('stacktest.tx-group');
    await produce(topics.txIn, ['in1', 'in2']);

    const producer = kafka.producer({
      transactionalId: uniqueName('stacktest.tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const consumer = testConsumer(kafka, { groupId, readUncommitted: false });
    await consumeUntil(consumer, {
      topics: [topics.txIn],
      count: 2,
      onMessage: async ({ topic, partition, message }) => {
        const transaction = await producer.transaction();
        await transaction.send({
          topic: topics.txOut,
          messages: [{ value: `out:${message.value?.toString() ?? ''}` }],
        });
        await transaction.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }],
        });
        await transaction.commit();
      },
    });
    await producer.disconnect();

    const admin = kafka.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topics.txIn] });
    await admin.disconnect();
    expect(committed?.partitions[0]?.offset).toBe('2');

    const output = await consumeUntil(
      testConsumer(kafka, { groupId: uniqueName('stacktest.tx-reader'), readUncommitted: false }),
      {
        topics: [topics.txOut],
        count: 2,
      },
    );
    expect(texts(output.map((m) => m.value))).toEqual(['out:in1', 'out:in2']);
  });

  it('an aborted transaction is invisible to a read_committed consumer', async () => {
    const producer = kafka.producer({
      transactionalId: uniqueName('stacktest.abort'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const aborted = await producer.transaction();
    await aborted.send({ topic: topics.aborted, messages: [{ value: 'aborted-1' }, { value: 'aborted-2' }] });
    await aborted.abort();
    const committed = await producer.transaction();
    await committed.send({ topic: topics.aborted, messages: [{ value: 'committed-1' }] });
    await committed.commit();
    await producer.disconnect();

    const readCommitted = await consumeUntil(
      testConsumer(kafka, { groupId: uniqueName('stacktest.rc'), readUncommitted: false }),
      { topics: [topics.aborted], count: 1, settleMs: 1000 },
    );
    expect(texts(readCommitted.map((m) => m.value))).toEqual(['committed-1']);

    // The control: the aborted records really are in the log, a read_uncommitted consumer sees them.
    const readUncommitted = await consumeUntil(
      testConsumer(kafka, { groupId: uniqueName('stacktest.ru'), readUncommitted: true }),
      { topics: [topics.aborted], count: 3, settleMs: 500 },
    );
    expect(texts(readUncommitted.map((m) => m.value))).toEqual(['aborted-1', 'aborted-2', 'committed-1']);
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  });
});
