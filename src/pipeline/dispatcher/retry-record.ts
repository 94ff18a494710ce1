/**
 * A request handed off the head of its outbound partition travels on the retry topic as its original
 * record (key, value, headers) plus `relay.retry.*` headers: attempts so far, the next-attempt time, the
 * first failure, the last error code and HTTP status, and where it was first read. Spring Kafka's
 * non-blocking retry topics and Uber's reprocessing topics carry the same facts. Pure.
 */
import type { IHeaders, Message } from 'kafkajs';
import type { SourceRecord } from '../source-record.ts';

export const RETRY_HEADER = {
  attempts: 'relay.retry.attempts',
  notBefore: 'relay.retry.not-before',
  firstFailedAt: 'relay.retry.first-failed-at',
  lastCode: 'relay.retry.last-code',
  lastStatus: 'relay.retry.last-status',
  originTopic: 'relay.retry.origin.topic',
  originPartition: 'relay.retry.origin.partition',
  originOffset: 'relay.retry.origin.offset',
  originTimestamp: 'relay.retry.origin.timestamp',
} as const;

/** Where a request was first read from the outbound topic, and when it was written there. */
export interface Origin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
}

export interface RetryState {
  readonly attempts: number;
  readonly notBeforeMs: number;
  readonly firstFailedAtMs: number | undefined;
  readonly lastCode?: string | undefined;
  readonly lastStatus?: number | undefined;
}

export function retryMessage(record: SourceRecord, origin: Origin, state: RetryState): Message {
  const headers: IHeaders = { ...withoutRetryHeaders(record.headers) };
  headers[RETRY_HEADER.attempts] = String(state.attempts);
  headers[RETRY_HEADER.notBefore] = String(state.notBeforeMs);
  if (state.firstFailedAtMs !== undefined) headers[RETRY_HEADER.firstFailedAt] = String(state.firstFailedAtMs);
  if (state.lastCode !== undefined) headers[RETRY_HEADER.lastCode] = state.lastCode;
  if (state.lastStatus !== undefined) headers[RETRY_HEADER.lastStatus] = String(state.lastStatus);
  headers[RETRY_HEADER.originTopic] = origin.topic;
  headers[RETRY_HEADER.originPartition] = String(origin.partition);
  headers[RETRY_HEADER.originOffset] = origin.offset;
  headers[RETRY_HEADER.originTimestamp] = origin.timestamp;
  return { key: record.key, value: record.value, headers };
}

/** What a record read from the retry topic says about itself; its own place when headers are missing. */
export function readRetryRecord(record: SourceRecord): { origin: Origin; state: RetryState } {
  const text = (name: string): string | undefined => {
    const value = record.headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined ? undefined : first.toString();
  };
  const number = (name: string): number | undefined => {
    const value = Number(text(name));
    return text(name) !== undefined && Number.isSafeInteger(value) ? value : undefined;
  };
  const originOffset = text(RETRY_HEADER.originOffset);
  return {
    origin: {
      topic: text(RETRY_HEADER.originTopic) ?? record.topic,
      partition: number(RETRY_HEADER.originPartition) ?? record.partition,
      offset: originOffset !== undefined && /^\d+$/.test(originOffset) ? originOffset : record.offset,
      timestamp: text(RETRY_HEADER.originTimestamp) ?? record.timestamp,
    },
    state: {
      attempts: Math.max(0, number(RETRY_HEADER.attempts) ?? 0),
      notBeforeMs: number(RETRY_HEADER.notBefore) ?? 0,
      firstFailedAtMs: number(RETRY_HEADER.firstFailedAt),
      lastCode: text(RETRY_HEADER.lastCode),
      lastStatus: number(RETRY_HEADER.lastStatus),
    },
  };
}

/** The record as it was on the outbound topic (for a dead letter that `dlq replay` sends back there). */
export function originalRecord(record: SourceRecord, origin: Origin): SourceRecord {
  return { ...record, ...origin, headers: withoutRetryHeaders(record.headers) };
}

function withoutRetryHeaders(headers: IHeaders): IHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !name.startsWith('relay.retry.')));
}
