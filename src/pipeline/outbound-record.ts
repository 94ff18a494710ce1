/**
 * How a KlaviyoRequest travels on the outbound topic: keyed by profile identity (one person's requests
 * share a partition and stay in order), a JSON value, and two headers so operators can find a domain
 * event's requests and filter by metric without parsing. Only two: kafkajs encodes every header through
 * its own buffer, about 8 µs per record for five (a micro-benchmark of kafkajs's record encoder); the rest
 * (event type, request id, kind) is in the value. `parseOutboundRecord` is the dispatcher's side: a
 * value that is not a request is a dead letter.
 */
import type { Message } from 'kafkajs';
import { RelayError } from '../errors.ts';
import type { KlaviyoRequest } from '../klaviyo/request.ts';
import { requestJson } from '../klaviyo/request-json.ts';

export const OUTBOUND_HEADER = {
  eventId: 'relay.event.id',
  metric: 'relay.metric',
} as const;

export function toOutboundMessage(request: KlaviyoRequest): Message {
  return {
    key: request.profileKey,
    // The JSON the projection made when it checked Klaviyo's limits; a Buffer, so its size is known exactly
    // for the transaction's byte budget and it is encoded once.
    value: Buffer.from(requestJson(request)),
    headers:
      request.kind === 'create-event'
        ? { [OUTBOUND_HEADER.eventId]: request.source.eventId, [OUTBOUND_HEADER.metric]: request.metric }
        : { [OUTBOUND_HEADER.eventId]: request.source.eventId },
  };
}

export type ParsedOutbound =
  { readonly ok: true; readonly request: KlaviyoRequest } | { readonly ok: false; readonly error: RelayError };

/**
 * Structural check of what the projector wrote. Shallow on purpose: the projector built it with the
 * same types; this guards against foreign writers and truncated values, not against our own mistakes.
 */
export function parseOutboundRecord(value: Buffer | null): ParsedOutbound {
  if (value === null) return invalid('outbound record has no value (tombstone)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch (error) {
    return invalid(`outbound record is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(parsed)) return invalid('outbound record is not a JSON object');
  if (parsed.v !== 1) return invalid(`unsupported outbound envelope version ${JSON.stringify(parsed.v)}`);
  if (typeof parsed.requestId !== 'string' || typeof parsed.profileKey !== 'string')
    return invalid('outbound record lacks requestId or profileKey');
  const source = parsed.source;
  if (!isObject(source) || typeof source.eventType !== 'string' || typeof source.occurredAt !== 'string')
    return invalid('outbound record lacks its source event');
  if (!isObject(parsed.body)) return invalid('outbound record lacks a body');
  if (parsed.kind === 'create-event') {
    if (typeof parsed.metric !== 'string' || typeof parsed.uniqueId !== 'string')
      return invalid('create-event record lacks metric or uniqueId');
  } else if (parsed.kind === 'update-profile') {
    if (!isObject(parsed.lookup)) return invalid('update-profile record lacks lookup');
  } else {
    return invalid(`unknown request kind ${JSON.stringify(parsed.kind)}`);
  }
  return { ok: true, request: parsed as unknown as KlaviyoRequest };
}

function invalid(message: string): ParsedOutbound {
  return { ok: false, error: new RelayError('MALFORMED_REQUEST', message, { stage: 'deliver' }) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
