/**
 * Decodes Confluent-framed Avro records into validated domain events. Bad records come back as data
 * (`{ ok: false, error }` with NOT_WIRE_FORMAT, UNKNOWN_SCHEMA_ID, CORRUPT_AVRO, UNRESOLVABLE_SCHEMA,
 * UNKNOWN_EVENT_TYPE or VALIDATION_FAILED); a registry that cannot answer is not the record's fault and
 * is thrown as REGISTRY_UNAVAILABLE, so it is retried and never dead-lettered.
 *
 * Per writer schema id the decoder fetches the writer schema once and builds one resolver from it to the
 * reader type of the same record name (schema evolution); after that, decoding an id it has seen is
 * synchronous work on cached objects. @kafkajs/confluent-schema-registry's `readerSchema` option would
 * rebuild the resolver for every message.
 */
import type avro from 'avsc';
import { RelayError, isRelayError } from '../errors.ts';
import type { DomainEvent, DomainEventType } from '../domain/events.ts';
import { eventTypeOfRecordName } from '../domain/topics.ts';
import type { EventValidator } from '../domain/validation.ts';
import { parseWriterType } from './avro-types.ts';
import { readerTypes } from './reader-types.ts';
import type { SchemaRegistry } from './registry-client.ts';
import { unframe } from './wire-format.ts';

export type DecodeResult =
  | { readonly ok: true; readonly event: DomainEvent; readonly schemaId: number }
  | { readonly ok: false; readonly error: RelayError; readonly schemaId: number | undefined };

export interface EventDecoder {
  /** Never rejects for a bad record; rejects only with REGISTRY_UNAVAILABLE (retry later). */
  decode(bytes: Buffer | null | undefined): Promise<DecodeResult>;
  /**
   * The same, synchronously, when no registry call is needed (the record's schema id has been seen, or
   * the bytes are not wire format); undefined when it is. For hot loops over a batch:
   * `decoder.decodeCached(value) ?? (await decoder.decode(value))` skips a promise per record.
   */
  decodeCached(bytes: Buffer | null | undefined): DecodeResult | undefined;
}

export interface EventDecoderOptions {
  readonly registry: SchemaRegistry;
  /** Applied to every decoded event; its failures are VALIDATION_FAILED results. */
  readonly validator: EventValidator;
}

/** What one writer schema id resolves to: how to read it, or why its records can never be read. */
type WriterPlan =
  | {
      readonly ok: true;
      readonly type: DomainEventType;
      readonly reader: avro.Type;
      /** Undefined when writer and reader are the same schema: no resolution needed. */
      readonly resolver: avro.Resolver | undefined;
    }
  | { readonly ok: false; readonly error: RelayError };

export function createEventDecoder(options: EventDecoderOptions): EventDecoder {
  const { registry, validator } = options;
  const readers = readerTypes();
  /** Plans by writer schema id. A registry id never changes meaning, so plans are kept for good. */
  const plans = new Map<number, WriterPlan>();
  /** In-flight lookups, so a burst of records with a new id makes one registry call. */
  const pending = new Map<number, Promise<WriterPlan>>();

  async function planFor(schemaId: number): Promise<WriterPlan> {
    let lookup = pending.get(schemaId);
    if (lookup === undefined) {
      lookup = buildPlan(schemaId).finally(() => pending.delete(schemaId));
      pending.set(schemaId, lookup);
    }
    return lookup;
  }

  async function buildPlan(schemaId: number): Promise<WriterPlan> {
    let writerText: string;
    try {
      const registered = await registry.getSchemaById(schemaId);
      if (registered.schemaType !== 'AVRO') {
        return remember(
          schemaId,
          failure('UNKNOWN_EVENT_TYPE', `schema ${schemaId} is ${registered.schemaType}, not Avro`, schemaId),
        );
      }
      writerText = registered.schema;
    } catch (error) {
      // An unknown id is not remembered: a lagging registry replica may learn it later.
      if (isRelayError(error) && error.code === 'UNKNOWN_SCHEMA_ID') return { ok: false, error };
      throw isRelayError(error)
        ? error
        : new RelayError('REGISTRY_UNAVAILABLE', 'schema registry lookup failed', { cause: error });
    }
    return remember(schemaId, planForWriter(schemaId, writerText));
  }

  function remember(schemaId: number, plan: WriterPlan): WriterPlan {
    plans.set(schemaId, plan);
    return plan;
  }

  function planForWriter(schemaId: number, writerText: string): WriterPlan {
    let writer: avro.Type;
    try {
      writer = parseWriterType(writerText);
    } catch (error) {
      return failure(
        'UNRESOLVABLE_SCHEMA',
        `writer schema ${schemaId} is not a valid Avro schema: ${messageOf(error)}`,
        schemaId,
      );
    }
    const type = writer.name === undefined ? undefined : eventTypeOfRecordName(writer.name);
    if (type === undefined) {
      return failure(
        'UNKNOWN_EVENT_TYPE',
        `schema ${schemaId} (${writer.name ?? writer.typeName}) is not a domain event`,
        schemaId,
      );
    }
    const reader = readers[type];
    if (reader.equals(writer)) return { ok: true, type, reader, resolver: undefined };
    try {
      return { ok: true, type, reader, resolver: reader.createResolver(writer) };
    } catch (error) {
      return failure(
        'UNRESOLVABLE_SCHEMA',
        `writer schema ${schemaId} of ${type} cannot be read with this service's schema: ${messageOf(error)}`,
        schemaId,
      );
    }
  }

  function read(plan: WriterPlan, schemaId: number, body: Buffer): DecodeResult {
    if (!plan.ok) return { ok: false, error: plan.error, schemaId };
    let decoded: { value: unknown; offset: number };
    try {
      decoded = plan.reader.decode(body, 0, plan.resolver);
    } catch (error) {
      return corrupt(schemaId, `Avro body of ${plan.type} is corrupt: ${messageOf(error)}`);
    }
    if (decoded.offset < 0) return corrupt(schemaId, `Avro body of ${plan.type} is truncated (${body.length} bytes)`);
    if (decoded.offset !== body.length) {
      return corrupt(schemaId, `Avro body of ${plan.type} has ${body.length - decoded.offset} bytes after the record`);
    }
    const event = { type: plan.type, data: decoded.value } as DomainEvent;
    const validated = validator.validate(event, { encodedBytes: body.length });
    return validated.ok
      ? { ok: true, event: validated.event, schemaId }
      : { ok: false, error: validated.error, schemaId };
  }

  return {
    async decode(bytes) {
      const framed = unframe(bytes);
      if (!framed.ok) return { ok: false, error: framed.error, schemaId: undefined };
      const plan = plans.get(framed.schemaId) ?? (await planFor(framed.schemaId));
      return read(plan, framed.schemaId, framed.body);
    },

    decodeCached(bytes) {
      const framed = unframe(bytes);
      if (!framed.ok) return { ok: false, error: framed.error, schemaId: undefined };
      const plan = plans.get(framed.schemaId);
      return plan === undefined ? undefined : read(plan, framed.schemaId, framed.body);
    },
  };
}

function failure(code: 'UNKNOWN_EVENT_TYPE' | 'UNRESOLVABLE_SCHEMA', message: string, schemaId: number): WriterPlan {
  return { ok: false, error: new RelayError(code, message, { detail: { schemaId } }) };
}

function corrupt(schemaId: number, message: string): DecodeResult {
  return { ok: false, error: new RelayError('CORRUPT_AVRO', message, { detail: { schemaId } }), schemaId };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
