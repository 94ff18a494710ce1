/**
 * Dead-letter context headers (DESIGN.md §2). A dead-letter record keeps the original key, value bytes and
 * headers unchanged; these headers say where it came from and why it failed. Our `relay.dlq.*` names are
 * the source of truth; Kafka Connect's `__connect.errors.*` and Spring Kafka's `kafka_dlt-*` equivalents are
 * written beside them so the tools people already run against those can read our dead letters too.
 * Every value is bounded in size and scrubbed of secrets: a dead letter is read by people at 3 a.m.
 */
import type { IHeaders } from 'kafkajs';
import type { RelayErrorCode, Stage } from '../../errors.ts';
import { redact, redactText } from '../../observability/redact.ts';

export const DLQ_HEADER = {
  originalTopic: 'relay.dlq.original.topic',
  originalPartition: 'relay.dlq.original.partition',
  originalOffset: 'relay.dlq.original.offset',
  originalTimestamp: 'relay.dlq.original.timestamp',
  consumerGroup: 'relay.dlq.consumer.group',
  stage: 'relay.dlq.stage',
  errorCode: 'relay.dlq.error.code',
  errorMessage: 'relay.dlq.error.message',
  errorDetail: 'relay.dlq.error.detail',
  attempts: 'relay.dlq.attempts',
  firstFailedAt: 'relay.dlq.first.failed.at',
  failedAt: 'relay.dlq.failed.at',
  schemaId: 'relay.dlq.schema.id',
  serviceVersion: 'relay.dlq.service.version',
  replayId: 'relay.replay.id',
  replayCount: 'relay.replay.count',
} as const;

/** Every header this module writes, ours and the compatibility aliases: stripped before a replay. */
export const CONTEXT_HEADER_PREFIXES = ['relay.dlq.', '__connect.errors.', 'kafka_dlt-'] as const;

/** Size bounds per header value, in UTF-8 bytes. */
export const HEADER_LIMITS = { message: 1_024, detail: 8_192, other: 256 } as const;

export interface DeadLetterContext {
  readonly originalTopic: string;
  readonly originalPartition: number;
  readonly originalOffset: string;
  /** Kafka record timestamp, epoch millis as a string (as kafkajs gives it). */
  readonly originalTimestamp: string;
  readonly consumerGroup: string;
  readonly stage: Stage;
  readonly errorCode: RelayErrorCode;
  readonly errorMessage: string;
  /** Machine-readable context (a field path, Klaviyo's status and `errors[]`); serialised as JSON. */
  readonly errorDetail?: Readonly<Record<string, unknown>>;
  /** Delivery attempts (1 for decode/validate/project failures, which are never retried). */
  readonly attempts: number;
  readonly firstFailedAt: Date;
  readonly failedAt: Date;
  readonly schemaId?: number;
  readonly serviceVersion: string;
  /** Literal secrets to scrub from messages and details (the API key). */
  readonly secrets?: readonly string[];
}

/**
 * The context headers for a dead letter, merged over the original record's headers (whose own
 * `relay.dlq.*` headers from an earlier failure are replaced, while `relay.replay.*` are kept).
 */
export function buildDeadLetterHeaders(original: IHeaders | undefined, context: DeadLetterContext): IHeaders {
  const scrub = { secrets: context.secrets ?? [] };
  const message = bound(redactText(context.errorMessage, scrub), HEADER_LIMITS.message);
  const detail = bound(JSON.stringify(redact(context.errorDetail ?? {}, scrub)), HEADER_LIMITS.detail);
  // Identifiers and timestamps are short by nature; bounding them guards against a hostile topic name.
  const short = (value: string): string => bound(value, HEADER_LIMITS.other);
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(original ?? {})) {
    if (!isContextHeader(name) && value !== undefined) headers[name] = value;
  }
  const topic = short(context.originalTopic);
  const group = short(context.consumerGroup);
  return {
    ...headers,
    [DLQ_HEADER.originalTopic]: topic,
    [DLQ_HEADER.originalPartition]: String(context.originalPartition),
    [DLQ_HEADER.originalOffset]: short(context.originalOffset),
    [DLQ_HEADER.originalTimestamp]: short(context.originalTimestamp),
    [DLQ_HEADER.consumerGroup]: group,
    [DLQ_HEADER.stage]: context.stage,
    [DLQ_HEADER.errorCode]: context.errorCode,
    [DLQ_HEADER.errorMessage]: message,
    [DLQ_HEADER.errorDetail]: detail,
    [DLQ_HEADER.attempts]: String(context.attempts),
    [DLQ_HEADER.firstFailedAt]: context.firstFailedAt.toISOString(),
    [DLQ_HEADER.failedAt]: context.failedAt.toISOString(),
    [DLQ_HEADER.serviceVersion]: short(context.serviceVersion),
    ...(context.schemaId === undefined ? {} : { [DLQ_HEADER.schemaId]: String(context.schemaId) }),
    // Kafka Connect's error context (errors.deadletterqueue.context.headers.enable=true).
    '__connect.errors.topic': topic,
    '__connect.errors.partition': String(context.originalPartition),
    '__connect.errors.offset': short(context.originalOffset),
    '__connect.errors.stage': context.stage,
    '__connect.errors.exception.class.name': context.errorCode,
    '__connect.errors.exception.message': message,
    // Spring Kafka's DeadLetterPublishingRecoverer writes partition, offset and timestamp as big-endian binary.
    'kafka_dlt-original-topic': topic,
    'kafka_dlt-original-partition': int32(context.originalPartition),
    'kafka_dlt-original-offset': int64(context.originalOffset),
    'kafka_dlt-original-timestamp': int64(context.originalTimestamp),
    'kafka_dlt-original-consumer-group': group,
    'kafka_dlt-exception-fqcn': context.errorCode,
    'kafka_dlt-exception-message': message,
  };
}

/** The dead-letter context read back from a record's headers (for `dlq list/show/replay`). */
export interface DeadLetterInfo {
  readonly originalTopic: string | undefined;
  readonly originalPartition: number | undefined;
  readonly originalOffset: string | undefined;
  readonly originalTimestamp: string | undefined;
  readonly consumerGroup: string | undefined;
  readonly stage: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorMessage: string | undefined;
  readonly errorDetail: unknown;
  readonly attempts: number | undefined;
  readonly firstFailedAt: string | undefined;
  readonly failedAt: string | undefined;
  readonly schemaId: number | undefined;
  readonly serviceVersion: string | undefined;
  readonly replayId: string | undefined;
  readonly replayCount: number;
}

export function readDeadLetterHeaders(headers: IHeaders | undefined): DeadLetterInfo {
  const text = (name: string): string | undefined => headerText(headers, name);
  const number = (name: string): number | undefined => {
    const value = text(name);
    const parsed = value === undefined ? Number.NaN : Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  };
  return {
    originalTopic: text(DLQ_HEADER.originalTopic),
    originalPartition: number(DLQ_HEADER.originalPartition),
    originalOffset: text(DLQ_HEADER.originalOffset),
    originalTimestamp: text(DLQ_HEADER.originalTimestamp),
    consumerGroup: text(DLQ_HEADER.consumerGroup),
    stage: text(DLQ_HEADER.stage),
    errorCode: text(DLQ_HEADER.errorCode),
    errorMessage: text(DLQ_HEADER.errorMessage),
    errorDetail: parseJson(text(DLQ_HEADER.errorDetail)),
    attempts: number(DLQ_HEADER.attempts),
    firstFailedAt: text(DLQ_HEADER.firstFailedAt),
    failedAt: text(DLQ_HEADER.failedAt),
    schemaId: number(DLQ_HEADER.schemaId),
    serviceVersion: text(DLQ_HEADER.serviceVersion),
    replayId: text(DLQ_HEADER.replayId),
    replayCount: number(DLQ_HEADER.replayCount) ?? 0,
  };
}

/** A header value as text; kafkajs gives Buffers (or arrays of them for repeated headers: the last wins). */
export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  if (last === undefined) return undefined;
  return Buffer.isBuffer(last) ? last.toString('utf8') : String(last);
}

export function isContextHeader(name: string): boolean {
  return CONTEXT_HEADER_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Cuts `value` to at most `maxBytes` UTF-8 bytes without splitting a character, saying what it cut. */
export function bound(value: string, maxBytes: number): string {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes <= maxBytes) return value;
  const marker = `…[truncated ${bytes} bytes]`;
  const budget = Math.max(0, maxBytes - Buffer.byteLength(marker, 'utf8'));
  // Decoding a cut buffer may end in a partial character (U+FFFD); drop it.
  const cut = Buffer.from(value, 'utf8')
    .subarray(0, budget)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}${marker}`;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

function int64(value: string): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigInt64BE(/^-?\d+$/.test(value) ? BigInt(value) : -1n);
  return buffer;
}

function parseJson(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    // A detail that was truncated to its bound is no longer JSON: show it as text.
    return value;
  }
}
