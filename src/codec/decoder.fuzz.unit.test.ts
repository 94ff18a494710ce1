/**
 * Fuzz: thousands of random and mutated byte strings through decode. Each one must come back as a valid
 * event or as a typed RelayError with a decode/validate code: never a throw, never a hang. The registry
 * here is an in-memory stand-in (this is a test of pure decoding); the real registry is used by the
 * round-trip and evolution integration tests.
 */
import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../errors.ts';
import { DOMAIN_EVENT_TYPES } from '../domain/events.ts';
import { loadExample } from '../domain/examples.ts';
import { EVENT_SCHEMAS } from '../domain/generated/schemas.ts';
import { createEventValidator } from '../domain/validation.ts';
import { createEventDecoder } from './decoder.ts';
import type { RegistrySchema, SchemaRegistry } from './registry-client.ts';
import { frame } from './wire-format.ts';

const schemaTexts = new Map<number, string>(
  DOMAIN_EVENT_TYPES.map((type, index) => [index + 1, JSON.stringify(EVENT_SCHEMAS[type].schema)]),
);
const inMemoryRegistry: SchemaRegistry = {
  async getSchemaById(id): Promise<RegistrySchema> {
    const schema = schemaTexts.get(id);
    if (schema === undefined) throw new RelayError('UNKNOWN_SCHEMA_ID', `no schema ${id}`);
    return { id, schema, schemaType: 'AVRO' };
  },
  async register() {
    throw new Error('not used');
  },
};

const decoder = createEventDecoder({
  registry: inMemoryRegistry,
  validator: createEventValidator({ resetLinkHosts: ['www.website.com'], now: () => Date.UTC(2024, 0, 1) }),
});

const EXPECTED_CODES = new Set([
  'NOT_WIRE_FORMAT',
  'UNKNOWN_SCHEMA_ID',
  'CORRUPT_AVRO',
  'UNRESOLVABLE_SCHEMA',
  'UNKNOWN_EVENT_TYPE',
  'VALIDATION_FAILED',
]);

const encodedExamples = DOMAIN_EVENT_TYPES.map((type, index) => {
  const avroType = avro.Type.forSchema(EVENT_SCHEMAS[type].schema);
  return frame(index + 1, avroType.toBuffer(loadExample(type).data));
});

async function expectTypedOutcome(bytes: Buffer): Promise<void> {
  const result = await decoder.decode(bytes);
  if (result.ok) {
    expect(DOMAIN_EVENT_TYPES).toContain(result.event.type);
  } else {
    expect(result.error).toBeInstanceOf(RelayError);
    expect(EXPECTED_CODES).toContain(result.error.code);
  }
}

const mutation = fc.oneof(
  // flip bytes
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  // truncate
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  // insert bytes, e.g. a huge varint block count
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
);

function mutate(original: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(original);
  for (const change of mutations) {
    const at = bytes.length === 0 ? 0 : change.at % bytes.length;
    if (change.kind === 'flip') bytes[at] = change.value;
    else if (change.kind === 'cut') bytes = bytes.subarray(0, at);
    else bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(change.bytes), bytes.subarray(at)]);
  }
  return bytes;
}
type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'cut'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array };

describe('decode fuzz', () => {
  it('decodes every untouched example (the fuzz starts from valid records)', async () => {
    for (const bytes of encodedExamples) {
      const result = await decoder.decode(bytes);
      expect(result.ok ? result.event.type : result.error.message).toMatch(/^[A-Z]\w+$/);
    }
  });

  it('turns 3,000 random byte strings into typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => expectTypedOutcome(Buffer.from(bytes))),
      { numRuns: 3_000 },
    );
  });

  it('turns 3,000 framed random bodies (known schema ids) into typed outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 11 }), fc.uint8Array({ maxLength: 600 }), async (id, body) =>
        expectTypedOutcome(frame(id, Buffer.from(body))),
      ),
      { numRuns: 3_000 },
    );
  });

  it('turns 5,000 mutated valid records into valid events or typed errors', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: encodedExamples.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        async (index, mutations) => expectTypedOutcome(mutate(encodedExamples[index]!, mutations as Mutation[])),
      ),
      { numRuns: 5_000 },
    );
  });

  it('rejects a huge array block count quickly instead of looping over it', async () => {
    // OrderPlaced with lineItems claiming 2^31 - 1 items: avsc alone would loop two billion times.
    const type = avro.Type.forSchema(EVENT_SCHEMAS.OrderPlaced.schema);
    const valid = type.toBuffer(loadExample('OrderPlaced').data);
    const event = loadExample('OrderPlaced');
    const prefix = type.toBuffer({
      ...event.data,
      lineItems: [],
      discount: null,
      billingAddress: null,
      shippingAddress: null,
      paymentMethod: null,
    });
    // The empty array is written as a single 0 byte just after `totalMinor`; find it by re-encoding without the tail.
    const head = prefix.subarray(0, prefix.length - 5);
    const hugeCount = Buffer.from([0xfe, 0xff, 0xff, 0xff, 0x0f]);
    const started = performance.now();
    const result = await decoder.decode(frame(6, Buffer.concat([head, hugeCount, valid.subarray(0, 8)])));
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('CORRUPT_AVRO');
  });

  it('keeps __proto__ map keys as plain data', async () => {
    const event = loadExample('LeadCaptured');
    const type = avro.Type.forSchema(EVENT_SCHEMAS.LeadCaptured.schema);
    const attributes = JSON.parse('{"__proto__": "x", "Size": "50"}') as Record<string, string>;
    const result = await decoder.decode(frame(9, type.toBuffer({ ...event.data, attributes })));
    expect(result.ok).toBe(true);
    if (result.ok && result.event.type === 'LeadCaptured') {
      expect(Object.getPrototypeOf(result.event.data.attributes)).toBe(Object.prototype);
      expect(Object.keys(result.event.data.attributes)).toEqual(['__proto__', 'Size']);
    }
  });

  it('checks the decoded example against the example itself', async () => {
    const result = await decoder.decode(encodedExamples[5]!);
    expect(result.ok && JSON.parse(JSON.stringify(result.event))).toEqual(loadExample('OrderPlaced'));
  });
});
