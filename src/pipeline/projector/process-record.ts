/**
 * Decides what becomes of one domain record: Klaviyo requests to write, a dead letter, or "try again
 * later". The failure policy (errors.ts) decides; this function only applies it. Never throws.
 */
import { classify, RelayError, type Stage } from '../../errors.ts';
import { readReplayHints } from '../dead-letter/replay-headers.ts';
import type { KlaviyoRequest } from '../../klaviyo/request.ts';
import type { SourceRecord } from '../source-record.ts';
import type { DecodeRecord, ProjectEvent, TypedEvent } from './ports.ts';

export type RecordOutcome =
  | { readonly kind: 'project'; readonly eventType: string; readonly requests: readonly KlaviyoRequest[] }
  | {
      readonly kind: 'dead-letter';
      readonly eventType: string | undefined;
      readonly stage: Stage;
      readonly error: RelayError;
      readonly schemaId: number | undefined;
    }
  | { readonly kind: 'retry'; readonly error: RelayError };

export async function processRecord<E extends TypedEvent>(
  record: SourceRecord,
  decode: DecodeRecord<E>,
  project: ProjectEvent<E>,
): Promise<RecordOutcome> {
  let decoded;
  try {
    decoded = await decode(record);
  } catch (thrown) {
    return failure(asRelayError(thrown), undefined, undefined, 'decode');
  }
  if (!decoded.ok) return failure(decoded.error, undefined, decoded.schemaId, 'decode');
  let projected: readonly KlaviyoRequest[] | RelayError;
  try {
    projected = project(decoded.event, readReplayHints(record.headers));
  } catch (thrown) {
    // The projection returns its errors as data; a throw is a bug of ours, which must not eat the record.
    return { kind: 'retry', error: asRelayError(thrown) };
  }
  if (projected instanceof RelayError) return failure(projected, decoded.event.type, decoded.schemaId, 'project');
  return { kind: 'project', eventType: decoded.event.type, requests: projected };
}

function failure(
  error: RelayError,
  eventType: string | undefined,
  schemaId: number | undefined,
  fallbackStage: Stage,
): RecordOutcome {
  if (error.action !== 'dead-letter') return { kind: 'retry', error };
  const stage = error.stage === 'infra' ? fallbackStage : error.stage;
  return { kind: 'dead-letter', eventType, stage, error, schemaId };
}

function asRelayError(thrown: unknown): RelayError {
  if (thrown instanceof RelayError) return thrown;
  const { message } = classify(thrown);
  return new RelayError('INTERNAL', message, { cause: thrown });
}
