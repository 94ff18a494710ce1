/** Dead letters for the dlq tests, built with the real header builder the pipeline uses. */
import type { IHeaders } from 'kafkajs';
import type { RelayErrorCode, Stage } from '../../src/errors.ts';
import { buildDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import type { DeadLetterRecord } from '../../src/dlq/record-view.ts';

export interface DeadLetterSpec {
  readonly originalTopic?: string;
  readonly stage?: Stage;
  readonly code?: RelayErrorCode;
  readonly key?: string;
  readonly failedAt?: Date;
  readonly replayCount?: number;
  readonly replayId?: string;
  readonly headers?: IHeaders;
}

export function deadLetterHeaders(spec: DeadLetterSpec = {}, originalOffset = '0'): IHeaders {
  const replay: IHeaders =
    spec.replayCount === undefined
      ? {}
      : { 'relay.replay.count': String(spec.replayCount), 'relay.replay.id': spec.replayId ?? 'earlier' };
  const failedAt = spec.failedAt ?? new Date('2026-11-26T10:15:00Z');
  return buildDeadLetterHeaders(
    { traceparent: '00-abc-def-01', ...replay, ...spec.headers },
    {
      originalTopic: spec.originalTopic ?? 'identity.account.events',
      originalPartition: 0,
      originalOffset,
      originalTimestamp: String(failedAt.getTime()),
      consumerGroup: 'relay-projector',
      stage: spec.stage ?? 'project',
      errorCode: spec.code ?? 'PROJECTION_FAILED',
      errorMessage: 'boom',
      attempts: 1,
      firstFailedAt: failedAt,
      failedAt,
      serviceVersion: 'test',
    },
  );
}

/** A Confluent wire-format value: magic 0, schema id, then bytes (not decoded by the pure tests). */
export function avroValue(schemaId: number, body = 'avro'): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, Buffer.from(body)]);
}

export function createEventRequest(metric: string, time: string, eventType = 'PasswordResetRequested'): Buffer {
  return Buffer.from(
    JSON.stringify({
      v: 1,
      kind: 'create-event',
      requestId: 'e1:0',
      profileKey: 'ext-1',
      source: { eventType, eventId: 'e1', occurredAt: time },
      metric,
      uniqueId: 'e1',
      realtime: true,
      body: {
        data: {
          type: 'event',
          attributes: {
            properties: {},
            time,
            unique_id: 'e1',
            metric: { data: { type: 'metric', attributes: { name: metric } } },
            profile: { data: { type: 'profile', attributes: { external_id: 'ext-1' } } },
          },
        },
      },
    }),
  );
}

export function record(partial: Partial<DeadLetterRecord> & { headers: IHeaders }): DeadLetterRecord {
  return {
    topic: 'identity.account.events.dlq',
    partition: 0,
    offset: '0',
    timestamp: String(Date.parse('2026-11-26T10:15:00Z')),
    key: Buffer.from('ext-1'),
    value: avroValue(7),
    ...partial,
  };
}
