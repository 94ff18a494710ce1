import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { frame, type RegistrySchema, type SchemaRegistry } from '../codec/index.ts';
import { loadConfig } from '../config/config.ts';
import { loadExample } from '../domain/examples.ts';
import { EVENT_SCHEMAS } from '../domain/generated/schemas.ts';
import { RelayError } from '../errors.ts';
import { createSchemaReader } from './schema-names.ts';

const ORDER_SCHEMA_ID = 7;
const registry: SchemaRegistry = {
  async getSchemaById(id): Promise<RegistrySchema> {
    if (id !== ORDER_SCHEMA_ID) throw new RelayError('UNKNOWN_SCHEMA_ID', `schema id ${id} is not in the registry`);
    return { id, schema: JSON.stringify(EVENT_SCHEMAS.OrderPlaced.schema), schemaType: 'AVRO' };
  },
  async register() {
    throw new Error('not used');
  },
};

const loaded = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' });
if (!loaded.ok) throw new Error('test config');
const reader = createSchemaReader(loaded.config, registry);

/** An OrderPlaced body cut right after its lineItems count, which claims 2^30 items. */
function corruptOrder(): Buffer {
  const type = avro.Type.forSchema(EVENT_SCHEMAS.OrderPlaced.schema);
  const order = loadExample('OrderPlaced').data;
  const full = type.toBuffer(order);
  const empty = type.toBuffer({ ...order, lineItems: [] });
  let at = 0;
  while (full[at] === empty[at]) at += 1; // the first byte that differs is the item count
  const count = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x08]); // zigzag varint of 2^30
  return frame(ORDER_SCHEMA_ID, Buffer.concat([full.subarray(0, at), count]));
}

describe('the dlq schema reader decodes through the codec', () => {
  it('answers a corrupt body with a readable reason within a second (plain avsc does not return)', async () => {
    const started = performance.now();
    const shown = await reader.decode(corruptOrder());
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(shown).toEqual({ decodeError: expect.stringMatching(/^CORRUPT_AVRO: Avro body of OrderPlaced/) });
  });

  it('decodes a sound record, names its schema, and says why an unknown id cannot be read', async () => {
    const type = avro.Type.forSchema(EVENT_SCHEMAS.OrderPlaced.schema);
    const order = loadExample('OrderPlaced').data;
    expect(await reader.decode(frame(ORDER_SCHEMA_ID, type.toBuffer(order)))).toMatchObject({ orderId: order.orderId });
    expect(await reader.decode(frame(99, Buffer.from([0])))).toEqual({
      decodeError: 'UNKNOWN_SCHEMA_ID: schema id 99 is not in the registry',
    });
    const names = await reader.prepare([ORDER_SCHEMA_ID, 99]);
    expect(names(ORDER_SCHEMA_ID)).toBe('com.klaviyorelay.commerce.OrderPlaced');
    expect(names(99)).toBeUndefined();
  });
});
