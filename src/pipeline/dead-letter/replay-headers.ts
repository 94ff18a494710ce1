/**
 * Headers a replay puts on the records it sends back, and the hints the projector and dispatcher honour.
 * A replayed record is the original key, value and headers, minus the dead-letter context, plus who
 * replayed it and how many times it has been replayed. The count survives a second failure because
 * `buildDeadLetterHeaders` keeps `relay.replay.*` when it dead-letters the record again.
 *
 * Domain records (Avro) cannot be rewritten, so `--backfill` / `--max-age` travel as headers that the
 * projector reads with `readReplayHints` and hands to the projection (`ProjectionContext.backfill`), which
 * sends every request it builds from the record with `backfill: true` when they say so.
 */
import type { IHeaders } from 'kafkajs';
import { DLQ_HEADER, headerText, isContextHeader } from './headers.ts';
import { NO_BACKFILL_HINT, type BackfillHint } from '../../projection/freshness.ts';

export const REPLAY_HEADER = {
  id: DLQ_HEADER.replayId,
  count: DLQ_HEADER.replayCount,
  /** `true`: every request projected from this record is sent with `backfill: true`. */
  backfill: 'relay.replay.backfill',
  /** Epoch millis: requests for events that occurred more than this long ago are sent with `backfill: true`. */
  maxAgeMs: 'relay.replay.max-age-ms',
} as const;

export interface ReplayMarking {
  readonly replayId: string;
  /** The replay count the record had before this replay (0 for a first failure). */
  readonly previousCount: number;
  readonly backfill?: boolean;
  readonly maxAgeMs?: number;
}

/** The headers of a replayed record: original headers without dead-letter context, plus the replay's own. */
export function replayedHeaders(original: IHeaders | undefined, marking: ReplayMarking): IHeaders {
  const headers: IHeaders = {};
  for (const [name, value] of Object.entries(original ?? {})) {
    if (value === undefined || isContextHeader(name)) continue;
    // An earlier replay's hints must not leak into this one: this replay says what it wants below.
    if (name === REPLAY_HEADER.backfill || name === REPLAY_HEADER.maxAgeMs) continue;
    headers[name] = value;
  }
  headers[REPLAY_HEADER.id] = marking.replayId;
  headers[REPLAY_HEADER.count] = String(marking.previousCount + 1);
  if (marking.backfill === true) headers[REPLAY_HEADER.backfill] = 'true';
  if (marking.maxAgeMs !== undefined) headers[REPLAY_HEADER.maxAgeMs] = String(marking.maxAgeMs);
  return headers;
}

/** What a replayed domain record asks of the projection: the projection's own backfill hint. */
export type ReplayHints = BackfillHint;

/**
 * For the projector: reads the replay hints of a consumed record. Ordinary records carry none and get the
 * shared NO_BACKFILL_HINT (this runs for every record on the hot path: no allocation there).
 */
export function readReplayHints(headers: IHeaders | undefined): ReplayHints {
  const backfill = headerText(headers, REPLAY_HEADER.backfill) === 'true';
  const maxAgeText = headerText(headers, REPLAY_HEADER.maxAgeMs);
  if (!backfill && maxAgeText === undefined) return NO_BACKFILL_HINT;
  const maxAge = Number(maxAgeText);
  return { backfill, maxAgeMs: maxAgeText !== '' && Number.isFinite(maxAge) && maxAge >= 0 ? maxAge : undefined };
}
