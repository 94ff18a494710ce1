// The path every domain event takes, against the real registry and broker: register an Avro schema
// under a TopicRecordNameStrategy subject, encode in Confluent wire format, produce, consume, decode.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  consumeUntil,
  createTopics,
  testConsumer,
  testEndpoints,
  testKafka,
  uniqueName,
} from '../support/kafka-test-kit.ts';

const NAMESPACE = 'relay.stacktest';
const RECORD = 'PingRecorded';
const pingSchema = {
  type: 'record',
  name: RECORD,
  namespace: NAMESPACE,
  fields: [
    { name: 'eventId', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'amountMinor', type: 'long' },
    { name: 'currency', type: 'string' },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};

describe('schema registry and broker round trip', () => {
  const kafka = testKafka('stack-roundtrip');
  const topic = uniqueName('stacktest.roundtrip');
  const subject = `${topic}-${NAMESPACE}.${RECORD}`; // TopicRecordNameStrategy
  let registry: SchemaRegistry;

  beforeAll(async () => {
    registry = new SchemaRegistry({ host: testEndpoints().schemaRegistryUrl });
    await createTopics(kafka, [topic]);
  });

  it('registers, encodes, produces, consumes and decodes an Avro record unchanged', async () => {
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(pingSchema) }, { subject });
    expect(id).toBeGreaterThan(0);

    const sent = {
      eventId: '8d8ac610-566d-4ef0-9c22-186b2a5ed793',
      occurredAt: Date.parse('2026-01-02T03:04:05.678Z'), // no logical-type hooks registered: a plain long
      amountMinor: 12_345,
      currency: 'JPY',
      note: 'こんにちは',
    };
    const encoded = await registry.encode(id, sent);
    expect(encoded[0]).toBe(0); // Confluent magic byte
    expect(encoded.readInt32BE(1)).toBe(id);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates from a retried send
    await producer.connect();
    await producer.send({ topic, messages: [{ key: sent.eventId, value: encoded }] });
    await producer.disconnect();

    const [message] = await consumeUntil(testConsumer(kafka, { groupId: uniqueName('stacktest.roundtrip.group') }), {
      topics: [topic],
      count: 1,
    });
    expect(message?.key).toBe(sent.eventId);
    // A fresh client: the decode must fetch the schema by id from the registry, not from a local cache.
    const decoded: unknown = await new SchemaRegistry({ host: testEndpoints().schemaRegistryUrl }).decode(
      message?.value ?? Buffer.alloc(0),
    );
    expect(decoded).toEqual(sent);
  });

  it('behaves like Confluent where our codec can tell', async () => {
    const schema = JSON.stringify(pingSchema);
    const { id } = await registry.register({ type: SchemaType.AVRO, schema }, { subject });

    // Re-registering the same schema, formatted differently, is not a new version.
    const reformatted = JSON.stringify(pingSchema, null, 2);
    expect((await registry.register({ type: SchemaType.AVRO, schema: reformatted }, { subject })).id).toBe(id);

    // The same schema under another topic's subject shares the id (ids name content, not subjects).
    const otherSubject = `${uniqueName('stacktest.other')}-${NAMESPACE}.${RECORD}`;
    expect((await registry.register({ type: SchemaType.AVRO, schema }, { subject: otherSubject })).id).toBe(id);

    expect(await registry.getLatestSchemaId(subject)).toBe(id);
    expect(await registry.getRegistryIdBySchema(subject, { type: SchemaType.AVRO, schema })).toBe(id);
    const fetched = await registry.getSchema(id);
    expect(fetched).toBeDefined();
  });

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });
});
