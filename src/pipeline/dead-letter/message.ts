/**
 * The dead letter of one consumed record, as both the projector (decode, validate, project) and the
 * dispatcher (deliver) write it: the original key, value bytes and headers unchanged, plus the context
 * headers of DESIGN.md §2. Pure.
 */
import type { Message } from 'kafkajs';
import type { RelayError, Stage } from '../../errors.ts';
import type { SourceRecord } from '../source-record.ts';
import { buildDeadLetterHeaders } from './headers.ts';

export interface DeadLetterFailure {
  readonly stage: Stage;
  readonly error: RelayError;
  readonly attempts: number;
  readonly firstFailedAt: Date;
  readonly failedAt: Date;
  readonly schemaId?: number | undefined;
}

/** Who wrote the dead letter: the consumer group, the service version, and the secrets to scrub. */
export interface DeadLetterWriter {
  readonly consumerGroup: string;
  readonly serviceVersion: string;
  readonly secrets: readonly string[];
}

export function deadLetterMessage(record: SourceRecord, failure: DeadLetterFailure, writer: DeadLetterWriter): Message {
  return {
    key: record.key,
    value: record.value,
    headers: buildDeadLetterHeaders(record.headers, {
      originalTopic: record.topic,
      originalPartition: record.partition,
      originalOffset: record.offset,
      originalTimestamp: record.timestamp,
      consumerGroup: writer.consumerGroup,
      stage: failure.stage,
      errorCode: failure.error.code,
      errorMessage: failure.error.message,
      errorDetail: failure.error.detail,
      attempts: failure.attempts,
      firstFailedAt: failure.firstFailedAt,
      failedAt: failure.failedAt,
      ...(failure.schemaId === undefined ? {} : { schemaId: failure.schemaId }),
      serviceVersion: writer.serviceVersion,
      secrets: writer.secrets,
    }),
  };
}
