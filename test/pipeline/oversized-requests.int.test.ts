// Requests larger than the outbound topic accepts: the broker refuses such a batch with MESSAGE_TOO_LARGE
// for ever, so a retried chunk would block its partition. The projector must fall back to one record per
// transaction, dead-letter the one record too large for the topic (with its original bytes), and write
// every other record exactly once. The outbound topic here takes 8 KB, the projector's byte budget 64 KB,
// so every multi-record chunk is refused too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KlaviyoRequest } from '../../src/klaviyo/request.ts';
import { readDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import type { ProjectEvent } from '../../src/pipeline/projector/ports.ts';
import { waitForTopicLeaders } from '../../src/pipeline/topics.ts';
import { consumeUntil, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { createEventRequest } from './fixtures.ts';
import { committedTotal, goodEvent, jsonProjector, type JsonEvent } from './support.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('projector-oversized');
const OUTBOUND_MAX_MESSAGE_BYTES = 8_192;

/** `big-…` events project one request with a 20 KB property; every other event a small one (~0.6 KB). */
const project: ProjectEvent<JsonEvent> = (event) => {
  const request = createEventRequest(event.profile, event.id);
  if (!event.id.startsWith('big-')) return [request];
  const attributes = { ...request.body.data.attributes, properties: { orderId: event.id, note: 'x'.repeat(20_000) } };
  return [{ ...request, body: { data: { ...request.body.data, attributes } } } satisfies KlaviyoRequest];
};

describe('projector: requests larger than the outbound topic accepts', () => {
  const source = uniqueName('test.oversized-src');
  const outbound = uniqueName('test.oversized-out');
  const group = uniqueName('test-oversized');
  const projector = jsonProjector({
    kafka,
    groupId: group,
    topics: [source],
    outboundTopic: outbound,
    project,
    maxTransactionBytes: 65_536,
  });

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: false,
        topics: [
          {
            topic: outbound,
            numPartitions: 1,
            configEntries: [{ name: 'max.message.bytes', value: String(OUTBOUND_MAX_MESSAGE_BYTES) }],
          },
        ],
      });
      await waitForTopicLeaders(admin, [outbound]);
    } finally {
      await admin.disconnect();
    }
    await createTopicsFor(kafka, { sourceTopics: [source], outboundTopic: outbound, partitions: 1 });
  });
  afterAll(async () => {
    await projector.stop();
  });

  it('dead-letters the one record too large, writes every other once, and moves on', async () => {
    const values = [
      ...Array.from({ length: 30 }, (_, index) => goodEvent(index)),
      { type: 'OrderPlaced', id: 'big-1', profile: 'p9' },
      ...Array.from({ length: 10 }, (_, index) => goodEvent(index + 30)),
    ].map((event) => JSON.stringify(event));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: source, messages: values.map((value) => ({ key: 'one-partition', value })) });
    await producer.disconnect();
    await projector.start();

    const written = await consumeUntil(kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false }), {
      topics: [outbound],
      count: 40,
      timeoutMs: 60_000,
      settleMs: 2_000,
    });
    const ids = written.map((record) => (JSON.parse(String(record.value)) as { uniqueId: string }).uniqueId);
    expect(ids).toEqual(Array.from({ length: 40 }, (_, index) => `order-${index}`));

    const letters: { value: string; headers: ReturnType<typeof readDeadLetterHeaders> }[] = [];
    await consumeUntil(kafka.consumer({ groupId: uniqueName('dlq-reader') }), {
      topics: [`${source}.dlq`],
      count: 1,
      settleMs: 1_000,
      onMessage: async ({ message }) => {
        letters.push({ value: String(message.value), headers: readDeadLetterHeaders(message.headers) });
      },
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      value: values[30],
      headers: { originalOffset: '30', stage: 'project', errorCode: 'OUTBOUND_TOO_LARGE' },
    });
    expect(await committedTotal(kafka, group, source)).toBe(41);
  });
});
