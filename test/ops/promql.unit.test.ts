// The name extraction the ops kit's scrape test relies on: if it missed a name, a panel could read a
// metric the relay never exports and the test would not notice.
import { describe, expect, it } from 'vitest';
import { asRecordingRules, exportedNames, grafanaToPromQL, metricNamesIn } from './promql.ts';

describe('metricNamesIn', () => {
  it('finds the metric names and skips functions, labels, ranges, groupings and strings', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, endpoint) (rate(relay_delivery_duration_seconds_bucket{instance=~"a:1", status="x_total"}[5m])))',
      ),
    ).toEqual(['relay_delivery_duration_seconds_bucket']);
    expect(
      metricNamesIn(
        'max by (family) (relay_klaviyo_budget_remaining / relay_klaviyo_budget_limit) < 0.05 and on (family) up == 1',
      ),
    ).toEqual(['relay_klaviyo_budget_limit', 'relay_klaviyo_budget_remaining', 'up']);
    expect(metricNamesIn('sum without (partition) (relay_consumer_lag) offset 5m > bool 1e3')).toEqual([
      'relay_consumer_lag',
    ]);
  });
});

describe('exportedNames', () => {
  it('offers each family and the series a histogram adds', () => {
    const names = exportedNames(
      [
        '# HELP relay_halted halted',
        '# TYPE relay_halted gauge',
        'relay_halted 0',
        '# TYPE relay_delivery_duration_seconds histogram',
        '# TYPE relay_class_backlog_requests gauge',
      ].join('\n'),
    );
    expect([...names].sort()).toEqual([
      'relay_class_backlog_requests',
      'relay_delivery_duration_seconds',
      'relay_delivery_duration_seconds_bucket',
      'relay_delivery_duration_seconds_count',
      'relay_delivery_duration_seconds_sum',
      'relay_halted',
    ]);
  });
});

describe('grafanaToPromQL', () => {
  it('replaces the dashboard variables and refuses one it does not know', () => {
    expect(grafanaToPromQL('rate(x{instance=~"$instance"}[$__rate_interval])')).toBe('rate(x{instance=~".*"}[1m])');
    expect(() => grafanaToPromQL('x{job="$job"}')).toThrow(/unknown Grafana variable \$job/);
  });
});

describe('asRecordingRules', () => {
  it('gives each expression its own recording rule', () => {
    expect(
      JSON.parse(
        asRecordingRules([
          { where: 'a', expr: 'up' },
          { where: 'b', expr: 'x > 1' },
        ]),
      ),
    ).toEqual({
      groups: [
        {
          name: 'parse-check',
          rules: [
            { record: 'parse_check:expr_0', expr: 'up' },
            { record: 'parse_check:expr_1', expr: 'x > 1' },
          ],
        },
      ],
    });
  });
});
