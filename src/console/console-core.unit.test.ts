import { describe, expect, it } from 'vitest';
import type { ReplayPlan } from '../dlq/replay-plan.ts';
import type { AuditRecord } from '../dlq/audit-record.ts';
import { bucketsOf, renderChart } from './chart.ts';
import { deliveryView, parseMetrics } from './delivery.ts';
import { escapeHtml, html, trusted } from './html.ts';
import { filterArgs, filterOptionsFrom, filterQuery, includeHandledFrom } from './query.ts';
import { progressOf, stateOf } from './replay-state.ts';

describe('html', () => {
  it('escapes every interpolated value, keeps nested templates as markup', () => {
    const hostile = `<script>alert("x")</script>&'`;
    expect(escapeHtml(hostile)).toBe('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;');
    const inner = html`<b>${hostile}</b>`;
    expect(html`<p title="${hostile}">${inner}${[1, null, undefined, false, 'a']}</p>`.__html).toBe(
      `<p title="${escapeHtml(hostile)}"><b>${escapeHtml(hostile)}</b>1a</p>`,
    );
    expect(html`${trusted('<svg/>')}`.__html).toBe('<svg/>');
  });
});

describe('query', () => {
  it('reads the CLI filter options from a form, repeatable ones as lists, empty fields as not given', () => {
    const params = new URLSearchParams(
      'code=A,B&code=C&stage=validate&key=&since=2h&limit=5&topic=x&include-handled=on',
    );
    expect(filterOptionsFrom(params)).toEqual({ code: ['A,B', 'C'], stage: ['validate'], since: '2h', limit: '5' });
    expect(includeHandledFrom(params)).toBe(true);
    expect(filterQuery(params).toString()).toBe('code=A%2CB&code=C&stage=validate&since=2h&limit=5&include-handled=on');
    expect(filterArgs(params)).toEqual([
      '--code',
      'A,B',
      '--code',
      'C',
      '--stage',
      'validate',
      '--since',
      '2h',
      '--limit',
      '5',
      '--include-handled',
    ]);
  });
});

describe('chart', () => {
  it('fills empty hours between the oldest and the newest', () => {
    const { size, buckets } = bucketsOf({ '2026-11-26T20:00Z': 2, '2026-11-26T23:00Z': 1 });
    expect(size).toBe('hour');
    expect(buckets.map((bucket) => bucket.count)).toEqual([2, 0, 0, 1]);
    expect(new Date(buckets[0]?.start ?? 0).toISOString()).toBe('2026-11-26T20:00:00.000Z');
  });

  it('buckets by day beyond three days, and leaves unknown hours out', () => {
    const { size, buckets } = bucketsOf({
      '2026-11-01T05:00Z': 1,
      '2026-11-01T09:00Z': 2,
      '2026-11-05T00:00Z': 4,
      '(unknown)': 9,
    });
    expect(size).toBe('day');
    expect(buckets.map((bucket) => bucket.count)).toEqual([3, 0, 0, 0, 4]);
  });

  it('draws one bar per bucket with a text alternative, and says so when there is nothing', () => {
    const svg = renderChart({ '2026-11-26T20:00Z': 2, '2026-11-26T22:00Z': 5 }, 'a<b.dlq');
    expect(svg.match(/<rect /g)).toHaveLength(3);
    expect(svg).toContain(
      'aria-label="a&lt;b.dlq: 7 dead letters from 11-26 20h to 11-26 22h UTC, at most 5 per hour"',
    );
    expect(renderChart({}, 'x')).toContain('No dead letters');
  });
});

describe('delivery view', () => {
  const text = (sent: number): string => `# HELP relay_lane_events_total x
# TYPE relay_lane_events_total counter
relay_lane_events_total{lane="create"} ${sent}
relay_lane_allowed_rate_per_second{lane="create"} 350
relay_klaviyo_budget_remaining{family="events"} 3400
relay_klaviyo_budget_limit{family="events"} 3500
relay_class_backlog_requests{class="realtime"} 12
relay_class_oldest_age_seconds{class="realtime"} 1.5
relay_dispatcher_unsettled_requests{topic="t",partition="0"} 3
relay_dispatcher_unsettled_requests{topic="t",partition="1"} 4
relay_dispatcher_oldest_unsettled_age_seconds{topic="t",partition="1"} 2.5
relay_halted 1
relay_readiness_check{check="kafka"} 1
relay_readiness_check{check="klaviyo-credentials"} 0
relay_dead_letters_total{topic="a.dlq",stage="decode",code="NOT_WIRE_FORMAT"} 2
relay_klaviyo_requests_total{endpoint="events",status="202"} 40
relay_delivery_duration_seconds_bucket{endpoint="events",le="+Inf"} 40
weird line without value
`;

  it('parses the exposition format and its labels (escapes included)', () => {
    const samples = parseMetrics('m{a="x\\"y",b="1"} 2.5\n# c\nn 3 1700000000000\nbad{ 1\n');
    expect(samples).toEqual([
      { name: 'm', labels: { a: 'x"y', b: '1' }, value: 2.5 },
      { name: 'n', labels: {}, value: 3 },
    ]);
  });

  it('computes the sent rate between two scrapes and reads limits, budgets, backlog, halts and failing checks', () => {
    const limits = [{ lane: 'create', family: 'events', perSecond: 350, perMinute: 3500 }];
    const first = { at: 0, samples: parseMetrics(text(100)) };
    const second = { at: 10_000, samples: parseMetrics(text(600)) };
    expect(deliveryView(first, undefined, limits).lanes[0]?.sentPerSecond).toBeUndefined();
    const view = deliveryView(second, first, limits);
    expect(view.lanes).toEqual([
      { lane: 'create', limit: limits[0], allowedPerSecond: 350, sentPerSecond: 50, sentTotal: 600 },
    ]);
    expect(view.budgets).toEqual([{ family: 'events', remaining: 3400, limit: 3500, waitedSeconds: undefined }]);
    expect(view.classes).toEqual([{ name: 'realtime', backlog: 12, oldestAgeSeconds: 1.5 }]);
    expect(view.unsettled).toBe(7);
    expect(view.oldestUnsettledSeconds).toBe(2.5);
    expect(view.halted).toBe(true);
    expect(view.failingChecks).toEqual(['klaviyo-credentials']);
    expect(view.deadLetters).toEqual([{ topic: 'a.dlq', stage: 'decode', code: 'NOT_WIRE_FORMAT', count: 2 }]);
    expect(view.requests).toEqual([{ endpoint: 'events', status: '202', count: 40 }]);
  });
});

describe('replay state', () => {
  const plan = {
    endOffsets: [
      { partition: 0, offset: 10 },
      { partition: 1, offset: 4 },
    ],
  } as unknown as ReplayPlan;

  it('counts progress from the low watermarks to the plan ends, as the runner does', () => {
    expect(progressOf(plan, new Map(), new Map())).toEqual({ done: 0, total: 14 });
    expect(progressOf(plan, new Map([[0, 2]]), new Map([[0, 6]]))).toEqual({ done: 4, total: 12 });
    expect(
      progressOf(
        plan,
        new Map(),
        new Map([
          [0, 99],
          [1, 4],
        ]),
      ),
    ).toEqual({ done: 14, total: 14 });
    // A committed offset below a moved low watermark counts from the low watermark.
    expect(progressOf(plan, new Map([[1, 3]]), new Map([[1, 1]]))).toEqual({ done: 0, total: 11 });
  });

  it('says running, completed, failed or interrupted from the job and the audit records', () => {
    const started = { status: 'started' } as AuditRecord;
    const completed = { status: 'completed' } as AuditRecord;
    expect(stateOf(true, false, [started])).toBe('running');
    expect(stateOf(false, false, [started, completed])).toBe('completed');
    expect(stateOf(false, true, [started])).toBe('failed');
    expect(stateOf(false, false, [started])).toBe('interrupted');
    expect(stateOf(false, false, [])).toBe('unknown');
  });
});
