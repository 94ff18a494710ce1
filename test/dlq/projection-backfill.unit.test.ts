// Replay hints reach the projection: a replayed domain record with relay.replay.backfill or
// relay.replay.max-age-ms becomes requests with `backfill: true` (and out of the real-time lane), through
// the projector's own record processing and the pure projection, with no body rewritten afterwards.
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { REPLAY_HEADER, readReplayHints } from '../../src/pipeline/dead-letter/replay-headers.ts';
import type { CreateEventRequest, KlaviyoRequest } from '../../src/klaviyo/request.ts';
import { processRecord } from '../../src/pipeline/projector/process-record.ts';
import type { DecodeRecord, ProjectEvent } from '../../src/pipeline/projector/ports.ts';
import type { SourceRecord } from '../../src/pipeline/source-record.ts';
import { mustBackfill, NO_BACKFILL_HINT, parseFreshnessWindows } from '../../src/projection/freshness.ts';
import { project } from '../../src/projection/project.ts';
import { contextFor } from '../../src/projection/testing/spec.ts';

const HOUR = 3_600_000;
const order = loadExample('OrderPlaced') as DomainEvent;
const reset = loadExample('PasswordResetRequested') as DomainEvent;

function events(requests: readonly KlaviyoRequest[]): CreateEventRequest[] {
  return requests.filter((request): request is CreateEventRequest => request.kind === 'create-event');
}

function source(headers: SourceRecord['headers']): SourceRecord {
  return { topic: 'commerce.order.events', partition: 0, offset: '7', timestamp: '0', key: null, value: null, headers };
}

describe('backfill hints of a replayed domain record', () => {
  it('backfill marks every request projected from the record, and takes it out of the real-time lane', () => {
    const plain = project(reset, contextFor(reset));
    const hinted = project(reset, contextFor(reset, { backfill: { backfill: true, maxAgeMs: undefined } }));
    if (!plain.ok || !hinted.ok) throw new Error('projection failed');
    expect(events(plain.requests).map((request) => [request.realtime, request.body.data.attributes.backfill])).toEqual([
      [true, undefined],
    ]);
    expect(events(hinted.requests).map((request) => [request.realtime, request.body.data.attributes.backfill])).toEqual(
      [[false, true]],
    );
    const orders = project(order, contextFor(order, { backfill: { backfill: true, maxAgeMs: undefined } }));
    if (!orders.ok) throw new Error('projection failed');
    expect(events(orders.requests).length).toBeGreaterThan(1);
    expect(events(orders.requests).every((request) => request.body.data.attributes.backfill === true)).toBe(true);
  });

  it('max-age backfills only events older than the bound, for any metric', () => {
    const twoHoursLater = order.data.occurredAt + 2 * HOUR;
    const old = project(
      order,
      contextFor(order, { now: twoHoursLater, backfill: { backfill: false, maxAgeMs: HOUR } }),
    );
    const young = project(
      order,
      contextFor(order, { now: twoHoursLater, backfill: { backfill: false, maxAgeMs: 3 * HOUR } }),
    );
    if (!old.ok || !young.ok) throw new Error('projection failed');
    expect(events(old.requests).every((request) => request.body.data.attributes.backfill === true)).toBe(true);
    expect(events(young.requests).some((request) => request.body.data.attributes.backfill === true)).toBe(false);
  });

  it('the freshness windows still apply without a hint, and a hint cannot make a stale event fresh', () => {
    const windows = parseFreshnessWindows('Reset Password=1h');
    expect(mustBackfill('Reset Password', 0, 2 * HOUR, windows)).toBe(true);
    expect(mustBackfill('Reset Password', 0, 2 * HOUR, windows, { backfill: false, maxAgeMs: 3 * HOUR })).toBe(true);
    expect(mustBackfill('Placed Order', 0, 2 * HOUR, windows, NO_BACKFILL_HINT)).toBe(false);
    expect(mustBackfill('Placed Order', 0, 2 * HOUR, windows, { backfill: false, maxAgeMs: HOUR })).toBe(true);
  });

  it('the projector reads the hints from the record headers and hands them to the projection', async () => {
    const decode: DecodeRecord<DomainEvent> = () => Promise.resolve({ ok: true, event: reset, schemaId: 1 });
    const seen: unknown[] = [];
    const projectEvent: ProjectEvent<DomainEvent> = (event, backfill) => {
      seen.push(backfill);
      const result = project(event, contextFor(event, { backfill }));
      return result.ok ? result.requests : result.error;
    };
    const replayed = await processRecord(
      source({ [REPLAY_HEADER.backfill]: Buffer.from('true') }),
      decode,
      projectEvent,
    );
    const ordinary = await processRecord(source({ traceparent: Buffer.from('00-a-b-01') }), decode, projectEvent);
    expect(seen).toEqual([
      { backfill: true, maxAgeMs: undefined },
      { backfill: false, maxAgeMs: undefined },
    ]);
    if (replayed.kind !== 'project' || ordinary.kind !== 'project') throw new Error('expected projections');
    expect(events(replayed.requests)[0]?.body.data.attributes.backfill).toBe(true);
    expect(events(ordinary.requests)[0]?.body.data.attributes.backfill).toBeUndefined();
  });

  it('reads malformed hints as no hint rather than failing the record', () => {
    expect(readReplayHints({ [REPLAY_HEADER.maxAgeMs]: 'soon' })).toEqual({ backfill: false, maxAgeMs: undefined });
    expect(readReplayHints({ [REPLAY_HEADER.maxAgeMs]: '-5' })).toEqual({ backfill: false, maxAgeMs: undefined });
    expect(readReplayHints({ [REPLAY_HEADER.maxAgeMs]: Buffer.from('60000') })).toEqual({
      backfill: false,
      maxAgeMs: 60_000,
    });
    expect(readReplayHints(undefined)).toBe(NO_BACKFILL_HINT);
  });
});
