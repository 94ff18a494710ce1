/**
 * `dlq show`: one dead letter as a person reads it at 3 a.m. — where it came from, why it failed,
 * Klaviyo's own error for delivery failures, and the decoded value — with secrets and reset links
 * redacted. Pure: the caller decodes Avro values beforehand.
 */
import { redact, type RedactOptions } from '../observability/redact.ts';
import type { DeadLetterView } from './record-view.ts';

export interface ShownDeadLetter {
  readonly coordinates: string;
  readonly key: string | null;
  readonly eventType: string;
  readonly failure: {
    readonly stage: string | undefined;
    readonly code: string | undefined;
    readonly message: string | undefined;
    readonly attempts: number | undefined;
    readonly firstFailedAt: string | undefined;
    readonly failedAt: string | undefined;
  };
  readonly origin: {
    readonly topic: string | undefined;
    readonly partition: number | undefined;
    readonly offset: string | undefined;
  };
  readonly replay: { readonly id: string | undefined; readonly count: number };
  /** Klaviyo's status and `errors[]` for delivery failures; the error detail otherwise. */
  readonly detail: unknown;
  readonly format: DeadLetterView['format'];
  readonly value: unknown;
}

/** `decoded`: the Avro value as the registry decoded it, or an error message when it could not. */
export function showDeadLetter(view: DeadLetterView, decoded: unknown, options: RedactOptions = {}): ShownDeadLetter {
  const { info, record } = view;
  const value = view.format === 'json' ? view.request : view.format === 'avro' ? decoded : preview(record.value);
  const shown: ShownDeadLetter = {
    coordinates: `${record.topic}/${record.partition}@${record.offset}`,
    key: view.key,
    eventType: view.eventType,
    failure: {
      stage: info.stage,
      code: info.errorCode,
      message: info.errorMessage,
      attempts: info.attempts,
      firstFailedAt: info.firstFailedAt,
      failedAt: info.failedAt,
    },
    origin: { topic: info.originalTopic, partition: info.originalPartition, offset: info.originalOffset },
    replay: { id: info.replayId, count: info.replayCount },
    detail: info.errorDetail,
    format: view.format,
    value: toJsonSafe(value),
  };
  return redact(shown, options);
}

/** Human text for one shown dead letter. */
export function formatShown(shown: ShownDeadLetter): string {
  const lines = [
    `── ${shown.coordinates}  key=${shown.key ?? '(none)'}  type=${shown.eventType}`,
    `   failed   ${shown.failure.stage ?? '?'} ${shown.failure.code ?? '?'} at ${shown.failure.failedAt ?? '?'} (attempts ${shown.failure.attempts ?? '?'})`,
    `   message  ${shown.failure.message ?? ''}`,
    `   origin   ${shown.origin.topic ?? '?'}/${shown.origin.partition ?? '?'}@${shown.origin.offset ?? '?'}`,
    `   replays  ${shown.replay.count}${shown.replay.id === undefined ? '' : ` (last ${shown.replay.id})`}`,
  ];
  if (
    shown.detail !== undefined &&
    !(typeof shown.detail === 'object' && shown.detail !== null && Object.keys(shown.detail).length === 0)
  ) {
    lines.push(`   ${shown.failure.stage === 'deliver' ? 'klaviyo ' : 'detail  '} ${JSON.stringify(shown.detail)}`);
  }
  lines.push(
    `   value (${shown.format})`,
    ...JSON.stringify(shown.value, null, 2)
      .split('\n')
      .map((line) => `     ${line}`),
  );
  return `${lines.join('\n')}\n`;
}

function preview(value: Buffer | null): unknown {
  if (value === null) return null;
  return { bytes: value.length, base64: value.subarray(0, 256).toString('base64') };
}

/** Avro decoding yields bigints, Buffers and Dates; JSON output needs plain values. */
function toJsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return { bytes: value.length, base64: value.toString('base64') };
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toJsonSafe(child)]));
  }
  return value;
}
