import { describe, expect, it } from 'vitest';
import { headerText } from '../../src/pipeline/dead-letter/headers.ts';
import { parseDuration, parseInstant } from '../../src/dlq/duration.ts';
import { describeFilter, matchesFilter, NO_FILTER, parseFilter, parseRanges } from '../../src/dlq/filter.ts';
import { countRanges, createHandledIndex, toRanges } from '../../src/dlq/offset-ranges.ts';
import { decide, decideReplay, PARKED_HEADER, type ReplaySettings } from '../../src/dlq/plan.ts';
import { formatProgress, createProgressReporter } from '../../src/dlq/progress.ts';
import { viewDeadLetter } from '../../src/dlq/record-view.ts';
import { readReplayHints, REPLAY_HEADER } from '../../src/pipeline/dead-letter/replay-headers.ts';
import { computeStats } from '../../src/dlq/stats.ts';
import { createTokenBucket } from '../../src/dlq/token-bucket.ts';
import { mustBackfill, parseFreshnessWindows } from '../../src/projection/freshness.ts';
import { avroValue, createEventRequest, deadLetterHeaders, record } from './fixtures.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const names = (id: number): string | undefined => (id === 7 ? 'identity.account.PasswordResetRequested' : undefined);

const settings: ReplaySettings = {
  replayId: 'r1',
  dlqTopic: 'identity.account.events.dlq',
  outboundTopic: 'klaviyo.requests',
  to: undefined,
  maxReplays: 3,
  backfill: false,
  maxAgeMs: undefined,
  freshness: parseFreshnessWindows('Reset Password=1h'),
  now: NOW,
};

describe('durations and instants', () => {
  it('parses durations in every unit and rejects the rest', () => {
    expect(parseDuration('1500ms')).toEqual({ ok: true, value: 1_500 });
    expect(parseDuration('3d')).toEqual({ ok: true, value: 3 * 86_400_000 });
    expect(parseDuration('1.5h')).toEqual({ ok: true, value: 5_400_000 });
    expect(parseDuration('3 days').ok).toBe(false);
  });
  it('takes ISO times and durations ago', () => {
    expect(parseInstant('2h', NOW)).toEqual({ ok: true, value: NOW - 7_200_000 });
    expect(parseInstant('2026-11-26T10:00:00Z', NOW)).toEqual({ ok: true, value: Date.parse('2026-11-26T10:00:00Z') });
    expect(parseInstant('yesterday', NOW).ok).toBe(false);
  });
});

describe('filters', () => {
  it('reports every problem at once', () => {
    const parsed = parseFilter({ stage: ['parse'], since: 'soon', limit: '0', offset: '9-3' }, NOW);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.message.split('\n')).toHaveLength(4);
  });
  it('parses ranges with open ends', () => {
    expect(parseRanges('3,5-7,100-')).toEqual({
      ok: true,
      value: [
        { from: 3, to: 3 },
        { from: 5, to: 7 },
        { from: 100, to: Number.MAX_SAFE_INTEGER },
      ],
    });
    expect(parseRanges('-5')).toEqual({ ok: true, value: [{ from: 0, to: 5 }] });
    expect(parseRanges('a').ok).toBe(false);
  });
  it('selects by code, stage, type, key, time, partition and offset', () => {
    const view = viewDeadLetter(
      record({
        offset: '42',
        partition: 2,
        headers: deadLetterHeaders({ code: 'VALIDATION_FAILED', stage: 'validate' }),
      }),
      names,
    );
    const filter = (options: Parameters<typeof parseFilter>[0]) => {
      const parsed = parseFilter(options, NOW);
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.value;
    };
    expect(matchesFilter(view, NO_FILTER)).toBe(true);
    expect(matchesFilter(view, filter({ code: ['VALIDATION_FAILED,CORRUPT_AVRO'] }))).toBe(true);
    expect(matchesFilter(view, filter({ code: ['CORRUPT_AVRO'] }))).toBe(false);
    expect(matchesFilter(view, filter({ stage: ['validate'] }))).toBe(true);
    expect(matchesFilter(view, filter({ stage: ['decode'] }))).toBe(false);
    expect(matchesFilter(view, filter({ type: ['PasswordResetRequested'] }))).toBe(true);
    expect(matchesFilter(view, filter({ type: ['OrderPlaced'] }))).toBe(false);
    expect(matchesFilter(view, filter({ key: ['ext-1'] }))).toBe(true);
    expect(matchesFilter(view, filter({ key: ['ext-2'] }))).toBe(false);
    expect(matchesFilter(view, filter({ since: '2026-11-26T10:00:00Z', until: '2026-11-26T10:30:00Z' }))).toBe(true);
    expect(matchesFilter(view, filter({ since: '1h' }))).toBe(false);
    expect(matchesFilter(view, filter({ partition: '1-2', offset: '40-50' }))).toBe(true);
    expect(matchesFilter(view, filter({ partition: '0' }))).toBe(false);
    expect(matchesFilter(view, filter({ offset: '43-' }))).toBe(false);
    expect(describeFilter(filter({ offset: '43-', code: ['X'] }))).toEqual({ code: ['X'], offset: ['43-'] });
  });
  it('matches requests by metric as well as by source event type', () => {
    const view = viewDeadLetter(
      record({
        value: createEventRequest('Reset Password', '2026-11-23T12:00:00Z'),
        headers: deadLetterHeaders({ stage: 'deliver', code: 'KLAVIYO_REJECTED' }),
      }),
    );
    expect(view.format).toBe('json');
    expect(matchesFilter(view, { ...NO_FILTER, types: ['Reset Password'] })).toBe(true);
    expect(matchesFilter(view, { ...NO_FILTER, types: ['PasswordResetRequested'] })).toBe(true);
  });
});

describe('replay decisions', () => {
  it('sends a projection dead letter back to its original topic, context stripped, count incremented', () => {
    const view = viewDeadLetter(record({ headers: deadLetterHeaders({ replayCount: 1 }) }), names);
    const decision = decideReplay(view, settings);
    expect(decision.kind).toBe('replay');
    if (decision.kind !== 'replay') return;
    expect(decision.topic).toBe('identity.account.events');
    expect(decision.message.value).toEqual(view.record.value);
    expect(decision.message.key).toEqual(view.record.key);
    const headers = decision.message.headers;
    expect(
      Object.keys(headers).filter(
        (name) => name.startsWith('relay.dlq.') || name.startsWith('__connect') || name.startsWith('kafka_dlt'),
      ),
    ).toEqual([]);
    expect(headerText(headers, 'traceparent')).toBe('00-abc-def-01');
    expect(headerText(headers, REPLAY_HEADER.id)).toBe('r1');
    expect(headerText(headers, REPLAY_HEADER.count)).toBe('2');
  });
  it('sends a delivery dead letter to the outbound topic, and honours --to', () => {
    const view = viewDeadLetter(
      record({
        value: createEventRequest('Placed Order', '2026-11-26T11:59:00Z', 'OrderPlaced'),
        headers: deadLetterHeaders({ stage: 'deliver', code: 'KLAVIYO_REJECTED' }),
      }),
    );
    expect(decideReplay(view, settings)).toMatchObject({
      kind: 'replay',
      topic: 'klaviyo.requests',
      backfilled: false,
    });
    expect(decideReplay(view, { ...settings, to: 'elsewhere' })).toMatchObject({ kind: 'replay', topic: 'elsewhere' });
  });
  it('parks a record that has been replayed maxReplays times', () => {
    const view = viewDeadLetter(record({ headers: deadLetterHeaders({ replayCount: 3 }) }), names);
    const decision = decideReplay(view, settings);
    expect(decision).toMatchObject({ kind: 'park', topic: 'identity.account.events.dlq.parked' });
    expect(decideReplay(view, { ...settings, maxReplays: 4 }).kind).toBe('replay');
  });
  it('marks a 3-day-old Reset Password request backfill (freshness window), and any request with --backfill', () => {
    const stale = viewDeadLetter(
      record({
        value: createEventRequest('Reset Password', '2026-11-23T12:00:00Z'),
        headers: deadLetterHeaders({ stage: 'deliver', code: 'KLAVIYO_REJECTED' }),
      }),
    );
    const decision = decideReplay(stale, settings);
    if (decision.kind !== 'replay') throw new Error('expected a replay');
    const body = JSON.parse(String(decision.message.value)) as {
      realtime: boolean;
      body: { data: { attributes: { backfill?: boolean } } };
    };
    expect(body.body.data.attributes.backfill).toBe(true);
    expect(body.realtime).toBe(false);
    const fresh = viewDeadLetter(
      record({
        value: createEventRequest('Placed Order', '2026-11-26T11:30:00Z', 'OrderPlaced'),
        headers: deadLetterHeaders({ stage: 'deliver' }),
      }),
    );
    expect(decideReplay(fresh, settings)).toMatchObject({ backfilled: false });
    expect(decideReplay(fresh, { ...settings, backfill: true })).toMatchObject({ backfilled: true });
    expect(decideReplay(fresh, { ...settings, maxAgeMs: 10 * 60_000 })).toMatchObject({ backfilled: true });
    expect(decideReplay(fresh, { ...settings, maxAgeMs: 60 * 60_000 })).toMatchObject({ backfilled: false });
  });
  it('puts backfill hints on domain records, which the projector reads back', () => {
    const view = viewDeadLetter(record({ headers: deadLetterHeaders() }), names);
    const decision = decideReplay(view, { ...settings, maxAgeMs: 3_600_000 });
    if (decision.kind !== 'replay') throw new Error('expected a replay');
    const hints = readReplayHints(decision.message.headers);
    expect(hints).toEqual({ backfill: false, maxAgeMs: 3_600_000 });
    expect(mustBackfill('Placed Order', NOW - 2 * 3_600_000, NOW, new Map(), hints)).toBe(true);
    expect(mustBackfill('Placed Order', NOW - 60_000, NOW, new Map(), hints)).toBe(false);
    expect(readReplayHints({})).toEqual({ backfill: false, maxAgeMs: undefined });
  });
  it('decides a park one way for the dry run and the run: parked headers say when and who', () => {
    const view = viewDeadLetter(record({ headers: deadLetterHeaders() }), names);
    const decision = decide('park', view, { ...settings, actor: 'alice' });
    expect(decision).toMatchObject({ kind: 'park', topic: 'identity.account.events.dlq.parked' });
    if (decision.kind !== 'park') throw new Error('expected a park');
    expect(headerText(decision.message.headers, PARKED_HEADER.reason)).toBe('parked by alice');
    expect(headerText(decision.message.headers, PARKED_HEADER.at)).toBe(new Date(NOW).toISOString());
  });
  it('reads delivery dead letters with the dispatcher parser: a value it refuses is shown but never rewritten', () => {
    const foreign = Buffer.from(JSON.stringify({ kind: 'create-event', metric: 'Reset Password', body: {} }));
    const view = viewDeadLetter(
      record({ value: foreign, headers: deadLetterHeaders({ stage: 'deliver', code: 'MALFORMED_REQUEST' }) }),
    );
    expect(view.format).toBe('json');
    expect(view.outbound).toBeUndefined();
    expect(view.eventType).toBe('unknown');
    const decision = decideReplay(view, { ...settings, backfill: true });
    expect(decision).toMatchObject({ kind: 'replay', backfilled: false });
    if (decision.kind === 'replay') expect(decision.message.value).toBe(foreign);
  });
  it('leaves a record that names no original topic', () => {
    const view = viewDeadLetter(record({ headers: { 'relay.dlq.stage': 'decode' }, value: avroValue(9) }));
    expect(decideReplay(view, settings).kind).toBe('unroutable');
  });
});

describe('offset ranges', () => {
  it('compresses offsets and answers membership', () => {
    expect(toRanges([5, 3, 4, 10, 11, 3])).toEqual([
      [3, 5],
      [10, 11],
    ]);
    const index = createHandledIndex([
      [{ partition: 0, ranges: toRanges([1, 2, 3]) }],
      [
        { partition: 0, ranges: [[4, 8]] },
        { partition: 1, ranges: [[0, 0]] },
      ],
    ]);
    expect([0, 1, 8, 9].map((offset) => index.has(0, offset))).toEqual([false, true, true, false]);
    expect(index.has(1, 0)).toBe(true);
    expect(index.has(2, 0)).toBe(false);
    expect(countRanges(toRanges([1, 2, 3, 7]))).toBe(4);
  });
});

describe('stats', () => {
  it('groups by code, stage, type, original topic and hour', () => {
    const views = [
      viewDeadLetter(record({ headers: deadLetterHeaders({ code: 'PROJECTION_FAILED' }) }), names),
      viewDeadLetter(
        record({
          headers: deadLetterHeaders({ code: 'PROJECTION_FAILED', failedAt: new Date('2026-11-26T11:05:00Z') }),
        }),
        names,
      ),
      viewDeadLetter(
        record({
          headers: deadLetterHeaders({ code: 'CORRUPT_AVRO', stage: 'decode', originalTopic: 'commerce.order.events' }),
        }),
        () => undefined,
      ),
    ];
    const stats = computeStats('t.dlq', views);
    expect(stats.total).toBe(3);
    expect(stats.byCode).toEqual({ PROJECTION_FAILED: 2, CORRUPT_AVRO: 1 });
    expect(stats.byStage).toEqual({ project: 2, decode: 1 });
    expect(stats.byType).toEqual({ PasswordResetRequested: 2, 'schema:7': 1 });
    expect(stats.byOriginalTopic).toEqual({ 'identity.account.events': 2, 'commerce.order.events': 1 });
    expect(stats.byHour).toEqual({ '2026-11-26T10:00Z': 2, '2026-11-26T11:00Z': 1 });
    expect(stats.oldest).toBe('2026-11-26T10:15:00.000Z');
    expect(stats.newest).toBe('2026-11-26T11:05:00.000Z');
  });
});

describe('rate and progress', () => {
  it('the token bucket holds the long-run rate', async () => {
    let clock = 0;
    const bucket = createTokenBucket({
      ratePerSecond: 5_000,
      burst: 500,
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    });
    for (let chunk = 0; chunk < 200; chunk += 1) await bucket.take(500);
    // 100,000 records at 5,000/s: 20 s less the initial burst of 0.1 s.
    expect(clock).toBeCloseTo(19_900, 0);
  });
  it('formats a bar with rate and ETA, and plain lines off a terminal', () => {
    expect(formatProgress({ done: 50_000, total: 100_000, elapsedMs: 10_000 }, true)).toBe(
      `[${'#'.repeat(15)}${'.'.repeat(15)}] 50,000/100,000 50% 5,000/s ETA 10s`,
    );
    expect(formatProgress({ done: 100, total: 100, elapsedMs: 2_000 }, false)).toBe('100/100 100% 50/s in 2s');
    const lines: string[] = [];
    let clock = 0;
    const reporter = createProgressReporter({
      total: 10,
      write: (text) => lines.push(text),
      isTTY: false,
      now: () => clock,
      plainIntervalMs: 1_000,
    });
    for (let done = 1; done <= 10; done += 1) {
      clock += 300;
      reporter.update(done);
    }
    reporter.finish(10);
    expect(lines).toHaveLength(4);
    expect(lines.every((line) => line.endsWith('\n') && !line.includes('\r'))).toBe(true);
  });
});
