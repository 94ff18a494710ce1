/**
 * Simple injected processors for the pipeline's integration tests: a JSON "codec" and a one-request
 * "projection", so the Kafka mechanics (transactions, dead letters, commits) are tested against the real
 * broker independently of the real codec and projection (the e2e tests use those).
 */
import { RelayError } from '../../src/errors.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { DecodeRecord, ProjectEvent } from '../../src/pipeline/projector/ports.ts';
import { createEventRequest } from './fixtures.ts';

export interface JsonEvent {
  readonly type: string;
  readonly id: string;
  readonly profile: string;
}

/** `POISON…` values are undecodable; `registry-down` throws REGISTRY_UNAVAILABLE (a retry). */
export const decodeJson: DecodeRecord<JsonEvent> = async (record) => {
  const text = record.value?.toString('utf8') ?? '';
  if (text.startsWith('POISON')) {
    return { ok: false, error: new RelayError('NOT_WIRE_FORMAT', 'first byte is not the Confluent magic byte 0') };
  }
  return { ok: true, event: JSON.parse(text) as JsonEvent, schemaId: 1 };
};

export const projectOne: ProjectEvent<JsonEvent> = (event) => [createEventRequest(event.profile, event.id)];

export const quietLogger = createLogger({ level: process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent' });

export function goodEvent(index: number): JsonEvent {
  return { type: 'OrderPlaced', id: `order-${index}`, profile: `p${index % 5}` };
}
