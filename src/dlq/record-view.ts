/**
 * A dead-letter record as the dlq commands see it: coordinates, the dead-letter context from its headers,
 * and what kind of event it was. Pure: schema names for Avro values are looked up beforehand by the caller.
 */
import { unframe } from '../codec/wire-format.ts';
import type { KlaviyoRequest } from '../klaviyo/request.ts';
import { parseOutboundRecord } from '../pipeline/outbound-record.ts';
import { readDeadLetterHeaders, type DeadLetterInfo } from '../pipeline/dead-letter/headers.ts';
import type { SourceRecord } from '../pipeline/source-record.ts';

/** A consumed dead letter is a consumed record like any other (the pipeline's SourceRecord). */
export type DeadLetterRecord = SourceRecord;

export type ValueFormat = 'avro' | 'json' | 'unknown';

export interface DeadLetterView {
  readonly record: DeadLetterRecord;
  readonly info: DeadLetterInfo;
  readonly offset: number;
  readonly key: string | null;
  readonly format: ValueFormat;
  /** Confluent wire-format schema id of an Avro value. */
  readonly schemaId: number | undefined;
  /** Domain event type (`OrderPlaced`) or, for a request without a source, its metric; `unknown` otherwise. */
  readonly eventType: string;
  /** When it failed (the dead-letter header), else when it was written to the dead-letter topic. */
  readonly failedAtMs: number;
  /** The value as JSON, for showing delivery dead letters (also one the dispatcher refused as malformed). */
  readonly request: unknown;
  /** The outbound request as the dispatcher reads it (the pipeline's parser), when the value is one. */
  readonly outbound: KlaviyoRequest | undefined;
}

/** Full Avro record name (`identity.account.PasswordResetRequested`) for a schema id, when known. */
export type SchemaNameLookup = (schemaId: number) => string | undefined;

export function viewDeadLetter(
  record: DeadLetterRecord,
  schemaName: SchemaNameLookup = () => undefined,
): DeadLetterView {
  const info = readDeadLetterHeaders(record.headers);
  const schemaId = wireFormatSchemaId(record.value);
  const request = schemaId === undefined ? parseJsonObject(record.value) : undefined;
  const parsed = request === undefined ? undefined : parseOutboundRecord(record.value);
  const outbound = parsed?.ok === true ? parsed.request : undefined;
  const format: ValueFormat = schemaId !== undefined ? 'avro' : request !== undefined ? 'json' : 'unknown';
  const failedAt = info.failedAt === undefined ? Number.NaN : Date.parse(info.failedAt);
  return {
    record,
    info,
    offset: Number(record.offset),
    key: record.key === null ? null : record.key.toString('utf8'),
    format,
    schemaId,
    eventType: eventTypeOf(schemaId, outbound, schemaName),
    failedAtMs: Number.isNaN(failedAt) ? Number(record.timestamp) : failedAt,
    request,
    outbound,
  };
}

/** The Confluent wire-format schema id of a value (the codec's own framing), or undefined when it is not framed. */
export function wireFormatSchemaId(value: Buffer | null): number | undefined {
  const framed = unframe(value);
  return framed.ok ? framed.schemaId : undefined;
}

function eventTypeOf(
  schemaId: number | undefined,
  outbound: KlaviyoRequest | undefined,
  schemaName: SchemaNameLookup,
): string {
  if (schemaId !== undefined) {
    const name = schemaName(schemaId);
    return name === undefined ? `schema:${schemaId}` : (name.split('.').pop() ?? name);
  }
  return outbound?.source.eventType ?? 'unknown';
}

/** The metric of a delivery dead letter (`Reset Password`), for `--type` on requests. */
export function metricOf(view: DeadLetterView): string | undefined {
  return view.outbound?.kind === 'create-event' ? view.outbound.metric : undefined;
}

function parseJsonObject(value: Buffer | null): Record<string, unknown> | undefined {
  if (value === null || value.length === 0 || value[0] !== 0x7b /* { */) return undefined;
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
