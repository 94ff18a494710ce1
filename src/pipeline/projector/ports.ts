/**
 * What the projector needs from the rest of the relay, as injected functions: the codec (decode through
 * the registry, then validate) and the pure projection. The projector owns none of that logic; it owns
 * the Kafka mechanics around it, so it can be tested against the real broker with simple processors.
 */
import type { RelayError } from '../../errors.ts';
import type { KlaviyoRequest } from '../../klaviyo/request.ts';
import type { BackfillHint } from '../../projection/freshness.ts';
import type { SourceRecord } from '../source-record.ts';

/** The least the projector needs to know about a domain event: its type, for metrics and headers. */
export interface TypedEvent {
  readonly type: string;
}

export type DecodeResult<E extends TypedEvent> =
  | { readonly ok: true; readonly event: E; readonly schemaId: number }
  | { readonly ok: false; readonly error: RelayError; readonly schemaId?: number };

/**
 * Decodes and validates one record. Record faults come back as `{ ok: false }` (dead-letter codes);
 * infrastructure faults (registry unreachable) may be returned or thrown: either way they are retried.
 */
export type DecodeRecord<E extends TypedEvent> = (record: SourceRecord) => Promise<DecodeResult<E>>;

/**
 * The pure projection, with its context (clock, routing rules) already bound. `backfill` is what the
 * record's replay headers ask (dlq replay --backfill / --max-age); ordinary records give NO_BACKFILL_HINT.
 */
export type ProjectEvent<E extends TypedEvent> = (
  event: E,
  backfill: BackfillHint,
) => readonly KlaviyoRequest[] | RelayError;
