/**
 * What a replay does with one selected dead letter, decided without I/O:
 * - replay it to where it came from: decode/validate/project dead letters to their original topic (the
 *   projector re-projects them with the current code, so a fixed bug heals them), delivery dead letters to
 *   the outbound topic; or wherever `--to` says;
 * - park it in `<dlq>.parked` when it has already been replayed `maxReplays` times, so it cannot loop;
 * - leave it when nothing says where it came from (and no `--to`).
 */
import type { IHeaders } from 'kafkajs';
import { mustBackfill, type FreshnessWindows } from '../projection/freshness.ts';
import { isMetricName } from '../projection/metrics.ts';
import type { KlaviyoRequest } from '../klaviyo/request.ts';
import type { DeadLetterView } from './record-view.ts';
import type { ReplayMode } from './replay-plan.ts';
import { replayedHeaders } from '../pipeline/dead-letter/replay-headers.ts';
import { parkedTopic } from '../pipeline/source-record.ts';

export interface OutgoingMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export type ReplayDecision =
  | { readonly kind: 'replay'; readonly topic: string; readonly message: OutgoingMessage; readonly backfilled: boolean }
  | { readonly kind: 'park'; readonly topic: string; readonly message: OutgoingMessage }
  | { readonly kind: 'unroutable'; readonly reason: string };

export interface ReplaySettings {
  readonly replayId: string;
  readonly dlqTopic: string;
  readonly outboundTopic: string;
  /** `--to`: overrides the destination of every replayed record. */
  readonly to: string | undefined;
  readonly maxReplays: number;
  /** `--backfill`: every replayed event is recorded without firing flows. */
  readonly backfill: boolean;
  /** `--max-age`: events that occurred longer ago than this are recorded without firing flows. */
  readonly maxAgeMs: number | undefined;
  /** The configured per-metric freshness windows, applied to replayed requests as the projector applies them. */
  readonly freshness: FreshnessWindows;
  readonly now: number;
}

export const PARKED_HEADER = { at: 'relay.dlq.parked.at', reason: 'relay.dlq.parked.reason' } as const;

/** `<dlq>.parked`: the one naming rule, shared with the topics the relay creates on start. */
export const parkedTopicOf = parkedTopic;

/**
 * The one decision for a selected record, shared by the dry run and the run: `park` moves every record
 * to `<dlq>.parked` (saying who parked it), `replay` decides as decideReplay does.
 */
export function decide(
  mode: ReplayMode,
  view: DeadLetterView,
  settings: ReplaySettings & { readonly actor: string },
): ReplayDecision {
  if (mode === 'park') {
    return {
      kind: 'park',
      topic: parkedTopicOf(settings.dlqTopic),
      message: parkedMessage(view, `parked by ${settings.actor}`, settings.now),
    };
  }
  return decideReplay(view, settings);
}

export function decideReplay(view: DeadLetterView, settings: ReplaySettings): ReplayDecision {
  const { record, info } = view;
  if (info.replayCount >= settings.maxReplays) {
    return {
      kind: 'park',
      topic: parkedTopicOf(settings.dlqTopic),
      message: parkedMessage(
        view,
        `failed again after ${info.replayCount} replays (limit ${settings.maxReplays})`,
        settings.now,
      ),
    };
  }
  const topic = settings.to ?? (info.stage === 'deliver' ? settings.outboundTopic : info.originalTopic);
  if (topic === undefined || topic === '') {
    return { kind: 'unroutable', reason: 'no relay.dlq.original.topic header; give --to' };
  }
  const headers = replayedHeaders(record.headers, {
    replayId: settings.replayId,
    previousCount: info.replayCount,
    ...(settings.backfill ? { backfill: true } : {}),
    ...(settings.maxAgeMs === undefined ? {} : { maxAgeMs: settings.maxAgeMs }),
  });
  const rewritten = view.outbound === undefined ? undefined : backfilledRequest(view.outbound, settings);
  return {
    kind: 'replay',
    topic,
    message: { key: record.key, value: rewritten ?? record.value, headers },
    backfilled:
      rewritten !== undefined || (view.format === 'avro' && (settings.backfill || settings.maxAgeMs !== undefined)),
  };
}

/** The record as it goes to the parked topic: unchanged, with its dead-letter context and why it was parked. */
export function parkedMessage(view: DeadLetterView, reason: string, now: number): OutgoingMessage {
  return {
    key: view.record.key,
    value: view.record.value,
    headers: {
      ...view.record.headers,
      [PARKED_HEADER.at]: new Date(now).toISOString(),
      [PARKED_HEADER.reason]: reason,
    },
  };
}

/**
 * A Create Event request is marked `backfill: true` when the replay asks for it, or when its event is
 * older than `--max-age` or its metric's freshness window: a reset link mailed days late does harm. The
 * decision is the projector's own (projection/freshness.ts `mustBackfill`), with the replay's options as
 * the record's hint. Returns the new JSON bytes, or undefined when the request stays as it is.
 */
function backfilledRequest(request: KlaviyoRequest, settings: ReplaySettings): Buffer | undefined {
  if (request.kind !== 'create-event') return undefined;
  const data = request.body.data;
  if (data.attributes.backfill === true) return undefined;
  const occurredAt = Date.parse(data.attributes.time);
  const hint = { backfill: settings.backfill, maxAgeMs: settings.maxAgeMs };
  // A metric the projection does not know (a foreign writer) has no freshness window: only the hint applies.
  const metric = isMetricName(request.metric) ? request.metric : undefined;
  const backfill =
    settings.backfill ||
    (!Number.isNaN(occurredAt) &&
      (metric === undefined
        ? settings.maxAgeMs !== undefined && settings.now - occurredAt > settings.maxAgeMs
        : mustBackfill(metric, occurredAt, settings.now, settings.freshness, hint)));
  if (!backfill) return undefined;
  // A backfilled event fires no flow, so nobody waits for it: it leaves the real-time lane too.
  const rewritten = {
    ...request,
    realtime: false,
    body: { ...request.body, data: { ...data, attributes: { ...data.attributes, backfill: true } } },
  };
  return Buffer.from(JSON.stringify(rewritten), 'utf8');
}
