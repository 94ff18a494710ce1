/**
 * The reader types: one avsc type per domain event, built once from the schemas the service was built
 * with (src/domain/generated/schemas.ts). Records decode into these, whatever version wrote them.
 */
import type avro from 'avsc';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../domain/events.ts';
import { EVENT_SCHEMAS } from '../domain/generated/schemas.ts';
import { createReaderType } from './avro-types.ts';

export type ReaderTypes = Readonly<Record<DomainEventType, avro.Type>>;

let shared: ReaderTypes | undefined;

/** The reader types, built on first use and shared: avsc types are immutable once built. */
export function readerTypes(): ReaderTypes {
  shared ??= Object.fromEntries(
    DOMAIN_EVENT_TYPES.map((type) => [type, createReaderType(EVENT_SCHEMAS[type].schema)]),
  ) as Record<DomainEventType, avro.Type>;
  return shared;
}
