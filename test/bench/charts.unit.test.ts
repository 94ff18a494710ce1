// The benchmark charts render to SVG headless, with their axes, units and Klaviyo's limits drawn: a chart
// that lost its limit line would still look like a chart, so these assert on what the SVG says.
import { describe, expect, it } from 'vitest';
import {
  deliveryRateChart,
  latencyDistributionChart,
  perSecond,
  renderSvg,
  rssChart,
  throughputChart,
} from '../../bench/lib/charts.ts';
import { latencyQuantiles } from '../../bench/lib/percentiles.ts';

describe('latencyQuantiles', () => {
  it('gives the nearest-rank value at each of the evenly spaced shares', () => {
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(latencyQuantiles(hundred, 4)).toEqual([25, 50, 75, 100]);
    expect(latencyQuantiles([7], 3)).toEqual([7, 7, 7]);
    expect(latencyQuantiles([], 3)).toEqual([]);
    // 200 points of 1,000 samples: every fifth sample, the last one the maximum.
    const quantiles = latencyQuantiles(Array.from({ length: 1_000 }, (_, i) => i + 1));
    expect(quantiles).toHaveLength(200);
    expect(quantiles[0]).toBe(5);
    expect(quantiles[198]).toBe(995);
    expect(quantiles[199]).toBe(1_000);
  });
});

describe('perSecond', () => {
  it('counts acceptances per whole second from the start, with empty seconds as 0', () => {
    expect(perSecond([1_000, 1_500, 1_999, 3_200], 1_000)).toEqual([3, 0, 1]);
    expect(perSecond([], 0)).toEqual([]);
  });
});

describe('charts', () => {
  it("draws the delivery rate per lane against Klaviyo's burst and steady limits", async () => {
    const svg = await renderSvg(
      deliveryRateChart('Draining a backlog', [
        { lane: 'Create Event', acceptedPerSecond: [350, 350, 120], burstPerSecond: 350, steadyPerMinute: 3_500 },
        { lane: 'Bulk Create Events', acceptedPerSecond: [10, 2], burstPerSecond: 10, steadyPerMinute: 150 },
      ]),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Klaviyo burst limit (350/s)');
    expect(svg).toContain('Klaviyo steady limit (3500/min)');
    expect(svg).toContain('Klaviyo steady limit (150/min)');
    expect(svg).toContain('requests per second');
    expect(svg).toContain('seconds since the lane started');
  });

  it('draws latency as a CDF on a log axis in ms, with each p99 target', async () => {
    const svg = await renderSvg(
      latencyDistributionChart('End-to-end latency', [
        { scenario: 'reset-password @ 50/s', quantilesMs: [12, 15, 40, 180], targetP99Ms: 250 },
      ]),
    );
    expect(svg).toContain('ms, log scale');
    expect(svg).toContain('reset-password @ 50/s');
    expect(svg).toContain('events delivered within');
  });

  it('draws RSS in MiB over time with the target', async () => {
    const svg = await renderSvg(
      rssChart(
        'Relay memory',
        [0, 5, 10].map((s) => ({ secondsSinceReady: s, rssBytes: 200 * 2 ** 20, heapUsedBytes: 60 * 2 ** 20 })),
        250 * 2 ** 20,
      ),
    );
    expect(svg).toContain('target &lt; 250 MiB');
    expect(svg).toContain('seconds since the relay was ready');
    expect(svg).toContain('>MiB<');
  });

  it('draws throughput bars per consumer with the target', async () => {
    const svg = await renderSvg(
      throughputChart(
        'Projector',
        [
          { consumer: 'klaviyo-relay projector', eventsPerSecond: 12_345.6 },
          { consumer: 'kafka-consumer-perf-test (Java)', eventsPerSecond: 150_000 },
        ],
        20_000,
      ),
    );
    expect(svg).toContain('kafka-consumer-perf-test (Java)');
    expect(svg).toContain('12,346');
    expect(svg).toContain('target ≥ 20,000/s');
    expect(svg).toContain('records per second');
  });
});
