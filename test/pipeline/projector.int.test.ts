// The projector against the real broker: requests and dead letters written in one transaction with the
// offsets; a poison record between good ones is dead-lettered and the partition moves on; a zombie
// producer for the same partition is fenced; read_committed readers never see aborted records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayMetrics } from '../../src/observability/metrics.ts';
import { readDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import { createTopicsFor } from './topics-helper.ts';
import { planTransaction } from '../../src/pipeline/projector/batch-plan.ts';
import { createTransactionalWriter } from '../../src/pipeline/projector/transactional-writer.ts';
import { consumeUntil, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { createEventRequest, sourceRecord } from './fixtures.ts';
import { goodEvent, jsonProjector, quietLogger } from './support.ts';

const kafka = testKafka('projector-int');

describe('projector (transactional) against the real broker', () => {
  const source = uniqueName('test.orders');
  const outbound = uniqueName('test.requests');
  const group = uniqueName('test-projector');
  const metrics = createRelayMetrics();
  const projector = jsonProjector({
    kafka,
    groupId: group,
    topics: [source],
    outboundTopic: outbound,
    metrics,
    maxRecordsPerTransaction: 7,
  });

  beforeAll(async () => {
    await createTopicsFor(kafka, { sourceTopics: [source], outboundTopic: outbound, partitions: 2 });
  });
  afterAll(async () => {
    await projector.stop();
  });

  it('writes every good record once, in order per profile, and dead-letters the poison with its context', async () => {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates from a retried send
    await producer.connect();
    const values = [
      ...Array.from({ length: 10 }, (_, index) => goodEvent(index)),
      'POISON-1',
      ...Array.from({ length: 10 }, (_, index) => goodEvent(index + 10)),
    ];
    // One key: every record on one partition, so the poison sits between good records.
    await producer.send({
      topic: source,
      messages: values.map((value) => ({
        key: 'same-partition',
        value: typeof value === 'string' ? value : JSON.stringify(value),
        headers: { traceparent: 'trace-1' },
      })),
    });
    await producer.disconnect();
    await projector.start();

    const requests = await consumeUntil(kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false }), {
      topics: [outbound],
      count: 20,
      timeoutMs: 60_000,
      settleMs: 2_000,
    });
    const ids = requests.map((record) => (JSON.parse(String(record.value)) as { uniqueId: string }).uniqueId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    for (const profile of ['p0', 'p1', 'p2', 'p3', 'p4']) {
      const ofProfile = requests
        .filter((record) => record.key === `external_id:${profile}`)
        .map((record) => Number((JSON.parse(String(record.value)) as { uniqueId: string }).uniqueId.split('-')[1]));
      expect(ofProfile).toEqual([...ofProfile].sort((a, b) => a - b));
    }

    const letters: { key: string | null; value: string; headers: ReturnType<typeof readDeadLetterHeaders> }[] = [];
    await consumeUntil(kafka.consumer({ groupId: uniqueName('dlq-reader') }), {
      topics: [`${source}.dlq`],
      count: 1,
      settleMs: 1_000,
      onMessage: async ({ message }) => {
        letters.push({
          key: message.key?.toString() ?? null,
          value: String(message.value),
          headers: readDeadLetterHeaders(message.headers),
        });
        expect(message.headers?.['traceparent']?.toString()).toBe('trace-1');
      },
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      key: 'same-partition',
      value: 'POISON-1',
      headers: {
        originalTopic: source,
        originalOffset: '10',
        stage: 'decode',
        errorCode: 'NOT_WIRE_FORMAT',
        consumerGroup: group,
      },
    });
    const consumed = await metrics.recordsConsumed.get();
    expect(consumed.values.reduce((sum, entry) => sum + entry.value, 0)).toBe(21);
    const committed = (await metrics.transactions.get()).values.find((entry) => entry.labels.outcome === 'committed');
    expect(committed?.value).toBeGreaterThanOrEqual(3);
  });

  it('committed the offsets in the transactions: the group has nothing left to read', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: group, topics: [source] });
      const total = offsets[0]!.partitions.reduce(
        (sum, entry) => sum + Number(entry.offset === '-1' ? 0 : entry.offset),
        0,
      );
      expect(total).toBe(21);
    } finally {
      await admin.disconnect();
    }
  });
});

describe('transactions fence zombies and hide aborted records', () => {
  const outbound = uniqueName('test.fence');
  const source = uniqueName('test.fence-src');
  const group = uniqueName('test-fence');

  beforeAll(async () => {
    await createTopicsFor(kafka, { sourceTopics: [source], outboundTopic: outbound, partitions: 1 });
  });

  const plan = (offset: string, uniqueId: string) =>
    planTransaction(
      [
        {
          record: sourceRecord(offset, 'x', source),
          outcome: { kind: 'project', eventType: 'OrderPlaced', requests: [createEventRequest('z', uniqueId)] },
        },
      ],
      { outboundTopic: outbound, consumerGroup: group, serviceVersion: 'test', now: new Date(), secrets: [] },
    );

  it('a second owner of the same partition fences the first; only committed records are read', async () => {
    const partition = { topic: source, partition: 0 };
    const zombie = createTransactionalWriter({ kafka, consumerGroup: group, logger: quietLogger });
    const successor = createTransactionalWriter({ kafka, consumerGroup: group, logger: quietLogger });
    try {
      await zombie.write(partition, plan('0', 'before-handover'));
      await successor.write(partition, plan('1', 'from-successor'));
      await expect(zombie.write(partition, plan('2', 'from-zombie'))).rejects.toThrow();
    } finally {
      await zombie.close();
      await successor.close();
    }

    // An aborted transaction written directly, to show that read_uncommitted would see it and we do not.
    const raw = kafka.producer({ transactionalId: uniqueName('raw'), idempotent: true, maxInFlightRequests: 1 });
    await raw.connect();
    const aborted = await raw.transaction();
    await aborted.send({ topic: outbound, messages: [{ key: 'external_id:z', value: '{"uniqueId":"aborted"}' }] });
    await aborted.abort();
    const committed = await raw.transaction();
    await committed.send({
      topic: outbound,
      messages: [{ key: 'external_id:z', value: '{"uniqueId":"after-abort"}' }],
    });
    await committed.commit();
    await raw.disconnect();

    const uniqueIds = (records: { value: Buffer | null }[]) =>
      records.map((record) => (JSON.parse(String(record.value)) as { uniqueId: string }).uniqueId);
    const readCommitted = await consumeUntil(kafka.consumer({ groupId: uniqueName('rc'), readUncommitted: false }), {
      topics: [outbound],
      count: 3,
      settleMs: 1_500,
    });
    expect(uniqueIds(readCommitted)).toEqual(['before-handover', 'from-successor', 'after-abort']);
    const readUncommitted = await consumeUntil(kafka.consumer({ groupId: uniqueName('ru'), readUncommitted: true }), {
      topics: [outbound],
      count: 4,
      settleMs: 1_500,
    });
    expect(uniqueIds(readUncommitted)).toContain('aborted');
  });
});

describe('projector fallback without transactions (RELAY_PROJECTOR_TRANSACTIONS=false)', () => {
  it('writes and dead-letters at least once, committing only after the broker acknowledged', async () => {
    const source = uniqueName('test.orders-alo');
    const outbound = uniqueName('test.requests-alo');
    const group = uniqueName('test-projector-alo');
    await createTopicsFor(kafka, { sourceTopics: [source], outboundTopic: outbound, partitions: 1 });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates from a retried send
    await producer.connect();
    await producer.send({
      topic: source,
      messages: [
        '{"type":"OrderPlaced","id":"a1","profile":"p1"}',
        'POISON-2',
        '{"type":"OrderPlaced","id":"a2","profile":"p1"}',
      ].map((value) => ({ value })),
    });
    await producer.disconnect();
    const projector = jsonProjector({
      kafka,
      groupId: group,
      topics: [source],
      outboundTopic: outbound,
      transactional: false,
    });
    await projector.start();
    try {
      const requests = await consumeUntil(kafka.consumer({ groupId: uniqueName('reader') }), {
        topics: [outbound],
        count: 2,
        settleMs: 1_000,
      });
      expect(requests.map((record) => (JSON.parse(String(record.value)) as { uniqueId: string }).uniqueId)).toEqual([
        'a1',
        'a2',
      ]);
      const letters = await consumeUntil(kafka.consumer({ groupId: uniqueName('dlq') }), {
        topics: [`${source}.dlq`],
        count: 1,
        settleMs: 500,
      });
      expect(String(letters[0]?.value)).toBe('POISON-2');
      const admin = kafka.admin();
      await admin.connect();
      const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [source] });
      await admin.disconnect();
      expect(offsets?.partitions[0]?.offset).toBe('3');
    } finally {
      await projector.stop();
    }
  });
});
