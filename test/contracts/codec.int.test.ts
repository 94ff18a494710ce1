/**
 * Domain event contracts against the real schema registry and broker: every event type makes the round
 * trip (encode through the registry, produce, consume, decode, equal); records written with an older
 * schema decode with the current reader; writers that cannot be resolved, unknown ids, corrupt bodies and
 * an unreachable registry give their typed errors.
 */
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventDecoder } from '../../src/codec/decoder.ts';
import { createRegistryClient, type SchemaRegistry } from '../../src/codec/registry-client.ts';
import { frame } from '../../src/codec/wire-format.ts';
import { DOMAIN_EVENT_TYPES, identityKeyOf, type DomainEvent } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { EVENT_SCHEMAS } from '../../src/domain/generated/schemas.ts';
import { subjectFor } from '../../src/domain/topics.ts';
import { createEventValidator } from '../../src/domain/validation.ts';
import { createDomainEventPublisher, type DomainEventPublisher } from '../../src/publisher/publisher.ts';
import {
  consumeUntil,
  createTopics,
  testConsumer,
  testEndpoints,
  testKafka,
  uniqueName,
} from '../support/kafka-test-kit.ts';

const validator = createEventValidator({ resetLinkHosts: ['www.website.com'] });
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

let registry: SchemaRegistry;
beforeAll(() => {
  registry = createRegistryClient({ url: testEndpoints().schemaRegistryUrl });
});

describe('round trip through the real registry and broker', () => {
  const topic = uniqueName('contracts.roundtrip');
  const kafka = testKafka('contracts-roundtrip');
  let publisher: DomainEventPublisher;

  beforeAll(async () => {
    await createTopics(kafka, [topic], 3);
    publisher = createDomainEventPublisher({ kafka, registry, validator });
    await publisher.connect();
  });
  afterAll(async () => {
    await publisher.disconnect();
  });

  it('publishes every event type, consumes it and decodes it equal to what was published', async () => {
    const published = DOMAIN_EVENT_TYPES.map((type) => loadExample(type));
    const receipts = [];
    for (const event of published) receipts.push(await publisher.publish(event, { topic }));
    expect(receipts.map((receipt) => receipt.key)).toEqual(published.map(identityKeyOf));
    expect(new Set(receipts.map((receipt) => receipt.schemaId)).size).toBe(DOMAIN_EVENT_TYPES.length);

    const received = await consumeUntil(testConsumer(kafka, { groupId: uniqueName('contracts-rt') }), {
      topics: [topic],
      count: published.length,
      timeoutMs: 60_000,
    });
    const decoder = createEventDecoder({ registry, validator });
    const decoded: DomainEvent[] = [];
    for (const message of received) {
      const result = await decoder.decode(message.value);
      if (!result.ok) throw result.error;
      expect(message.key).toBe(identityKeyOf(result.event));
      decoded.push(result.event);
    }
    const byEventId = (events: readonly DomainEvent[]): unknown[] =>
      plain([...events].sort((a, b) => a.data.eventId.localeCompare(b.data.eventId))) as unknown[];
    expect(byEventId(decoded)).toEqual(byEventId(published));
  });

  it('registers each type under its TopicRecordNameStrategy subject', async () => {
    const example = loadExample('OrderPlaced');
    const id = await registry.register(
      subjectFor('OrderPlaced', topic),
      JSON.stringify(EVENT_SCHEMAS.OrderPlaced.schema),
    );
    const receipt = await publisher.publish(example, { topic });
    expect(receipt.schemaId).toBe(id);
  });
});

describe('schema evolution', () => {
  const current = EVENT_SCHEMAS.OrderPlaced.schema as avro.schema.RecordType;

  it('decodes a record written with an older OrderPlaced (no paymentMethod) through the broker', async () => {
    const older = { ...current, fields: current.fields.filter((field) => field.name !== 'paymentMethod') };
    const topic = uniqueName('contracts.evolution');
    const kafka = testKafka('contracts-evolution');
    await createTopics(kafka, [topic]);
    const olderId = await registry.register(subjectFor('OrderPlaced', topic), JSON.stringify(older));
    const example = loadExample('OrderPlaced');
    const { paymentMethod: _dropped, ...olderData } = example.data;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates from a retried send
    await producer.connect();
    await producer.send({
      topic,
      messages: [{ key: '1234', value: frame(olderId, avro.Type.forSchema(older).toBuffer(olderData)) }],
    });
    await producer.disconnect();
    const [message] = await consumeUntil(testConsumer(kafka, { groupId: uniqueName('contracts-ev') }), {
      topics: [topic],
      count: 1,
      timeoutMs: 60_000,
    });

    const result = await createEventDecoder({ registry, validator }).decode(message!.value);
    if (!result.ok) throw result.error;
    expect(result.schemaId).toBe(olderId);
    expect(plain(result.event)).toEqual(plain({ type: 'OrderPlaced', data: { ...example.data, paymentMethod: null } }));
  });

  it('gives UNRESOLVABLE_SCHEMA for a writer whose orderId is an int', async () => {
    const incompatible = {
      ...current,
      fields: current.fields.map((field) => (field.name === 'orderId' ? { ...field, type: 'int' } : field)),
    };
    const id = await registry.register(
      subjectFor('OrderPlaced', uniqueName('contracts.unresolvable')),
      JSON.stringify(incompatible),
    );
    const example = loadExample('OrderPlaced');
    const bytes = frame(id, avro.Type.forSchema(incompatible).toBuffer({ ...example.data, orderId: 1234 }));
    const result = await createEventDecoder({ registry, validator }).decode(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('UNRESOLVABLE_SCHEMA');
      expect(result.schemaId).toBe(id);
    }
  });

  it('gives UNRESOLVABLE_SCHEMA for a writer without a field the reader requires', async () => {
    const missingRequired = { ...current, fields: current.fields.filter((field) => field.name !== 'orderId') };
    const id = await registry.register(
      subjectFor('OrderPlaced', uniqueName('contracts.missing')),
      JSON.stringify(missingRequired),
    );
    const { orderId: _orderId, ...data } = loadExample('OrderPlaced').data;
    const result = await createEventDecoder({ registry, validator }).decode(
      frame(id, avro.Type.forSchema(missingRequired).toBuffer(data)),
    );
    expect(result.ok ? 'decoded' : result.error.code).toBe('UNRESOLVABLE_SCHEMA');
  });
});

describe('typed errors with the real registry', () => {
  const example = loadExample('AccountCreated');
  const type = avro.Type.forSchema(EVENT_SCHEMAS.AccountCreated.schema);
  let id: number;
  beforeAll(async () => {
    id = await registry.register(
      subjectFor('AccountCreated', uniqueName('contracts.errors')),
      JSON.stringify(EVENT_SCHEMAS.AccountCreated.schema),
    );
  });

  it('UNKNOWN_SCHEMA_ID for an id the registry never issued (a 404, not an outage)', async () => {
    const result = await createEventDecoder({ registry, validator }).decode(
      frame(2_000_000_000, type.toBuffer(example.data)),
    );
    expect(result.ok ? 'decoded' : result.error.code).toBe('UNKNOWN_SCHEMA_ID');
  });

  it('decodeCached answers synchronously only once the schema id has been fetched', async () => {
    const decoder = createEventDecoder({ registry, validator });
    const bytes = frame(id, type.toBuffer(example.data));
    expect(decoder.decodeCached(bytes)).toBeUndefined();
    const fetched = await decoder.decode(bytes);
    const cached = decoder.decodeCached(bytes);
    expect(cached?.ok && plain(cached.event)).toEqual(plain(example));
    expect(plain(cached)).toEqual(plain(fetched));
    expect(decoder.decodeCached(Buffer.from('{}'))?.ok).toBe(false);
  });

  it('CORRUPT_AVRO for a truncated body and for trailing bytes', async () => {
    const decoder = createEventDecoder({ registry, validator });
    const body = type.toBuffer(example.data);
    const truncated = await decoder.decode(frame(id, body.subarray(0, body.length - 3)));
    const trailing = await decoder.decode(frame(id, Buffer.concat([body, Buffer.from([1, 2])])));
    expect(truncated.ok ? 'decoded' : truncated.error.code).toBe('CORRUPT_AVRO');
    expect(trailing.ok ? 'decoded' : trailing.error.message).toMatch(/2 bytes after the record/);
  });

  it('VALIDATION_FAILED with the field path for a decodable but invalid event', async () => {
    const bad = { ...example.data, customer: { ...example.data.customer, email: 'john.smith@' } };
    const result = await createEventDecoder({ registry, validator }).decode(frame(id, type.toBuffer(bad)));
    expect(result.ok ? 'decoded' : result.error.detail.path).toBe('customer.email');
  });

  it('UNKNOWN_EVENT_TYPE for a record that is not one of our events', async () => {
    const other = { type: 'record', name: 'Other', namespace: 'com.example', fields: [{ name: 'a', type: 'string' }] };
    const otherId = await registry.register(uniqueName('contracts.other-com.example.Other'), JSON.stringify(other));
    const result = await createEventDecoder({ registry, validator }).decode(frame(otherId, Buffer.from([2, 65])));
    expect(result.ok ? 'decoded' : result.error.code).toBe('UNKNOWN_EVENT_TYPE');
  });

  it('rejects with REGISTRY_UNAVAILABLE (retry), never a bad-record code, when the registry is down', async () => {
    const unreachable = createRegistryClient({ url: 'http://127.0.0.1:9/apis/ccompat/v7', timeoutMs: 2_000 });
    const decoder = createEventDecoder({ registry: unreachable, validator });
    await expect(decoder.decode(frame(id, type.toBuffer(example.data)))).rejects.toMatchObject({
      code: 'REGISTRY_UNAVAILABLE',
      retriable: true,
    });
  });
});
