/**
 * Encodes domain events into Confluent-framed Avro for producers, tests and the produce CLI. The schema is
 * registered under its TopicRecordNameStrategy subject once per (topic, type); the id is cached.
 * Values that do not fit the schema are VALIDATION_FAILED with the path of the first bad field.
 */
import type avro from 'avsc';
import { RelayError } from '../errors.ts';
import type { DomainEvent, DomainEventType } from '../domain/events.ts';
import { EVENT_SCHEMAS } from '../domain/generated/schemas.ts';
import { DEFAULT_TOPICS, subjectFor } from '../domain/topics.ts';
import { readerTypes } from './reader-types.ts';
import type { SchemaRegistry } from './registry-client.ts';
import { frame } from './wire-format.ts';

export interface EventEncoder {
  /** Registers the schema on first use for (topic, type), then encodes; `topic` defaults to the event's. */
  encode(event: DomainEvent, topic?: string): Promise<EncodedEvent>;
}

export interface EncodedEvent {
  readonly topic: string;
  readonly subject: string;
  readonly schemaId: number;
  readonly value: Buffer;
}

export function createEventEncoder(options: { readonly registry: SchemaRegistry }): EventEncoder {
  const types = readerTypes();
  const ids = new Map<string, Promise<number>>();

  function schemaIdFor(type: DomainEventType, subject: string): Promise<number> {
    let id = ids.get(subject);
    if (id === undefined) {
      id = options.registry.register(subject, JSON.stringify(EVENT_SCHEMAS[type].schema));
      // A failed registration is not cached: the next publish tries again.
      id.catch(() => ids.delete(subject));
      ids.set(subject, id);
    }
    return id;
  }

  return {
    async encode(event, topic = DEFAULT_TOPICS[event.type]) {
      const body = encodeBody(types[event.type], event);
      const subject = subjectFor(event.type, topic);
      const schemaId = await schemaIdFor(event.type, subject);
      return { topic, subject, schemaId, value: frame(schemaId, body) };
    },
  };
}

/** The Avro body of `event`, or VALIDATION_FAILED naming every field that does not fit the schema. */
export function encodeBody(type: avro.Type, event: DomainEvent): Buffer {
  const paths: string[] = [];
  if (!type.isValid(event.data, { errorHook: (path) => paths.push(path.join('.')) })) {
    const shown = paths.slice(0, 10);
    throw new RelayError('VALIDATION_FAILED', `${event.type} does not fit its Avro schema at ${shown.join(', ')}`, {
      stage: 'validate',
      detail: { eventType: event.type, path: shown[0] ?? '', paths: shown },
    });
  }
  return type.toBuffer(event.data);
}
