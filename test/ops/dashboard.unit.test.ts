// The Grafana dashboard imports and provisions as it is: a fixed uid, the data source as a variable (no
// `__inputs` to fill in), unique panel ids, panels that do not overlap, and the views the operations issue
// asks for.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_FILE } from './promql.ts';

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { x: number; y: number; w: number; h: number };
  readonly datasource?: { type: string; uid: string };
  readonly targets?: { datasource?: { uid: string }; expr: string }[];
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as {
  uid: string;
  __inputs?: unknown;
  templating: { list: { name: string; type: string; query: unknown }[] };
  panels: Panel[];
};
const graphs = dashboard.panels.filter((panel) => panel.type !== 'row');

describe('the Grafana dashboard', () => {
  it('needs no import inputs: a fixed uid and the Prometheus data source as a variable', () => {
    expect(dashboard.uid).toBe('klaviyo-relay');
    expect(dashboard.__inputs).toBeUndefined();
    expect(dashboard.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource', query: 'prometheus' });
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const target of panel.targets ?? []) expect(target.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });

  it('has unique panel ids and no two panels on the same cells of the 24-column grid', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const taken = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row += 1)
        for (let column = x; column < x + w; column += 1) {
          const cell = `${row}:${column}`;
          expect(taken.get(cell), `${panel.title} overlaps at ${cell}`).toBeUndefined();
          taken.set(cell, panel.title);
        }
    }
  });

  it('shows what operating the relay needs', () => {
    const reads = (metric: string) =>
      graphs.filter((panel) => (panel.targets ?? []).some((target) => target.expr.includes(metric)));
    for (const metric of [
      'relay_records_consumed_total', // events in
      'relay_requests_projected_total', // events out of the projector
      'relay_klaviyo_requests_total', // out to Klaviyo, 429s
      'relay_lane_events_total', // budget used per lane
      'relay_lane_allowed_rate_per_second', // against allowed
      'relay_end_to_end_latency_seconds_bucket', // latency quantiles
      'relay_consumer_lag', // backlog
      'relay_dispatcher_oldest_unsettled_age_seconds', // oldest age
      'relay_dead_letters_total', // by topic and code
      'relay_halted',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
    ])
      expect(reads(metric), metric).not.toEqual([]);
  });
});
