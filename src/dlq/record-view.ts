/**
 * A dead-letter record as the dlq commands see it: coordinates, the dead-letter context from its headers,
 * and what kind of event it was. Pure: schema names for Avro values are looked up beforehand by the caller.
 */
import { unframe } from '../codec/wire-format.ts';
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
  /** The parsed outbound request, for delivery dead letters. */
  readonly request: unknown;
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
  const format: ValueFormat = schemaId !== undefined ? 'avro' : request !== undefined ? 'json' : 'unknown';
  const failedAt = info.failedAt === undefined ? Number.NaN : Date.parse(info.failedAt);
  return {
    record,
    info,
    offset: Number(record.offset),
    key: record.key === null ? null : record.key.toString('utf8'),
    format,
    schemaId,
    eventType: eventTypeOf(schemaId, request, schemaName),
    failedAtMs: Number.isNaN(failedAt) ? Number(record.timestamp) : failedAt,
    request,
  };
}

/** The Confluent wire-format schema id of a value (the codec's own framing), or undefined when it is not framed. */
export function wireFormatSchemaId(value: Buffer | null): number | undefined {
  const framed = unframe(value);
  return framed.ok ? framed.schemaId : undefined;
}

function eventTypeOf(schemaId: number | undefined, request: unknown, schemaName: SchemaNameLookup): string {
  if (schemaId !== undefined) {
    const name = schemaName(schemaId);
    return name === undefined ? `schema:${schemaId}` : (name.split('.').pop() ?? name);
  }
  if (isRecord(request)) {
    const source = request.source;
    if (isRecord(source) && typeof source.eventType === 'string') return source.eventType;
    if (typeof request.metric === 'string') return request.metric;
  }
  return 'unknown';
}

/** The metric of a delivery dead letter (`Reset Password`), for `--type` on requests. */
export function metricOf(view: DeadLetterView): string | undefined {
  return isRecord(view.request) && typeof view.request.metric === 'string' ? view.request.metric : undefined;
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
