/**
 * The benchmarks' charts: Vega-Lite specs built from a benchmark's own results, rendered to SVG by Vega
 * without a browser (`View.toSVG()` in Node), written beside the results as bench/results/<name>.svg and
 * embedded in BENCHMARKS.md. Spec builders are pure; `renderSvg` does no I/O; `writeChart` writes the file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

const RESULTS_DIR = new URL('../results/', import.meta.url);
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 640;
const HEIGHT = 260;
/** Drawn limits and targets: red and dashed, so they read as limits, not as measurements. */
const LIMIT_COLOR = '#c0392b';
const SERIES_COLORS = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#72b7b2', '#9d755d'];
/** Whole labels (scenario names, consumer names) rather than Vega's default 180 px truncation. */
const CONFIG = { axis: { labelLimit: 400 }, legend: { labelLimit: 600 } } as const;

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders `spec` to bench/results/<name>.svg and returns the path. */
export async function writeChart(name: string, spec: TopLevelSpec): Promise<string> {
  const svg = await renderSvg(spec);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`${name}.svg`, RESULTS_DIR);
  writeFileSync(file, `${svg}\n`);
  return file.pathname;
}

export interface LatencySeries {
  readonly scenario: string;
  /** Latencies at evenly spaced shares of the events (see `latencyQuantiles`), ascending, in ms. */
  readonly quantilesMs: readonly number[];
  readonly targetP99Ms?: number;
}

/** Share of events delivered within a latency (a CDF per scenario), log latency axis, p99 targets drawn. */
export function latencyDistributionChart(title: string, series: readonly LatencySeries[]): TopLevelSpec {
  const points = series.flatMap((entry) =>
    entry.quantilesMs.map((ms, index) => ({
      scenario: entry.scenario,
      latencyMs: Math.max(ms, 0.1),
      share: (index + 1) / entry.quantilesMs.length,
    })),
  );
  // One line per distinct target, named after the scenarios it belongs to (the text before their ' @').
  const targetNames = new Map<number, Set<string>>();
  for (const entry of series) {
    if (entry.targetP99Ms === undefined) continue;
    const names = targetNames.get(entry.targetP99Ms) ?? new Set<string>();
    names.add(entry.scenario.split(' @')[0]!);
    targetNames.set(entry.targetP99Ms, names);
  }
  const targets = [...targetNames].map(([targetMs, names]) => ({
    targetMs,
    label: `p99 target ${targetMs} ms (${[...names].join(', ')})`,
  }));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: title, subtitle: 'share of events delivered within a latency; red: the p99 targets' },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: {
            field: 'latencyMs',
            type: 'quantitative',
            scale: { type: 'log', nice: false },
            title: 'latency, producer send → Klaviyo 202 (ms, log scale)',
          },
          y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'events delivered within' },
          color: {
            field: 'scenario',
            type: 'nominal',
            title: 'scenario',
            // No red: red is for targets and limits.
            scale: { range: SERIES_COLORS },
            legend: { orient: 'bottom', columns: 1 },
          },
        },
      },
      {
        data: { values: [{ share: 0.99 }] },
        mark: { type: 'rule', strokeDash: [2, 2], color: '#888' },
        encoding: { y: { field: 'share', type: 'quantitative' } },
      },
      {
        data: { values: targets },
        layer: [
          {
            mark: { type: 'rule', color: LIMIT_COLOR, strokeDash: [6, 4] },
            encoding: { x: { field: 'targetMs', type: 'quantitative' } },
          },
          {
            mark: {
              type: 'text',
              color: LIMIT_COLOR,
              angle: 270,
              align: 'right',
              baseline: 'bottom',
              dx: 0,
              dy: -3,
              y: 0,
            },
            encoding: { x: { field: 'targetMs', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}

export interface LaneRateSeries {
  readonly lane: string;
  /** Requests Klaviyo accepted in each second since the lane started (index = second). */
  readonly acceptedPerSecond: readonly number[];
  /** Klaviyo's published limits for the lane's endpoint, in requests. */
  readonly burstPerSecond: number;
  readonly steadyPerMinute: number;
}

/** Accepted requests per second and their 60 s mean against Klaviyo's burst and steady limits, per lane. */
export function deliveryRateChart(title: string, lanes: readonly LaneRateSeries[]): TopLevelSpec {
  const values = lanes.flatMap((lane) =>
    lane.acceptedPerSecond.flatMap((count, second) => {
      const window = lane.acceptedPerSecond.slice(Math.max(0, second - 59), second + 1);
      const mean = window.reduce((sum, value) => sum + value, 0) / window.length;
      return [
        { lane: lane.lane, second, rate: count, series: 'accepted per second' },
        { lane: lane.lane, second, rate: Math.round(mean * 100) / 100, series: 'mean of the last 60 s' },
      ];
    }),
  );
  const limits = lanes.flatMap((lane) => [
    { lane: lane.lane, rate: lane.burstPerSecond, limit: `Klaviyo burst limit (${lane.burstPerSecond}/s)` },
    {
      lane: lane.lane,
      rate: Math.round((lane.steadyPerMinute / 60) * 100) / 100,
      limit: `Klaviyo steady limit (${lane.steadyPerMinute}/min)`,
    },
  ]);
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: title, subtitle: "requests Klaviyo accepted (202) per second; red: Klaviyo's published limits" },
    facet: {
      row: {
        field: 'lane',
        type: 'nominal',
        sort: lanes.map((lane) => lane.lane),
        title: null,
        header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelFontSize: 12 },
      },
    },
    resolve: { scale: { y: 'independent', x: 'independent' } },
    data: { values: [...values, ...limits.map((limit) => ({ ...limit, series: 'limit' }))] },
    spec: {
      width: WIDTH,
      height: 180,
      layer: [
        {
          transform: [{ filter: "datum.series !== 'limit'" }],
          mark: { type: 'line', strokeWidth: 1.2 },
          encoding: {
            x: { field: 'second', type: 'quantitative', title: 'seconds since the lane started' },
            y: { field: 'rate', type: 'quantitative', title: 'requests per second' },
            color: {
              field: 'series',
              type: 'nominal',
              scale: { range: ['#9ecae1', '#08519c'] },
              title: null,
              legend: { orient: 'bottom' },
            },
          },
        },
        {
          transform: [{ filter: "datum.series === 'limit'" }],
          mark: { type: 'rule', color: LIMIT_COLOR, strokeDash: [6, 4] },
          encoding: { y: { field: 'rate', type: 'quantitative' } },
        },
        {
          transform: [{ filter: "datum.series === 'limit'" }],
          mark: { type: 'text', color: LIMIT_COLOR, align: 'left', dx: 4, dy: -6, x: 0 },
          encoding: { y: { field: 'rate', type: 'quantitative' }, text: { field: 'limit' } },
        },
      ],
    },
  };
}

export interface RssSample {
  readonly secondsSinceReady: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

/** RSS and heap used over time (MiB), with the RSS target drawn. */
export function rssChart(title: string, samples: readonly RssSample[], targetBytes: number): TopLevelSpec {
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  const values = samples.flatMap((sample) => [
    { seconds: sample.secondsSinceReady, mib: mib(sample.rssBytes), series: 'RSS' },
    { seconds: sample.secondsSinceReady, mib: mib(sample.heapUsedBytes), series: 'V8 heap used' },
  ]);
  const target = mib(targetBytes);
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: title, subtitle: `resident memory of the relay process; red: the ${target} MiB target` },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: 'line', point: { size: 12 } },
        encoding: {
          x: { field: 'seconds', type: 'quantitative', title: 'seconds since the relay was ready' },
          y: { field: 'mib', type: 'quantitative', title: 'MiB', scale: { domainMin: 0 } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { range: SERIES_COLORS },
            legend: { orient: 'bottom' },
          },
        },
      },
      {
        data: { values: [{ mib: target, label: `target < ${target} MiB` }] },
        layer: [
          {
            mark: { type: 'rule', color: LIMIT_COLOR, strokeDash: [6, 4] },
            encoding: { y: { field: 'mib', type: 'quantitative' } },
          },
          {
            // Below the line: RSS near the target runs just above it.
            mark: { type: 'text', color: LIMIT_COLOR, align: 'left', dx: 4, dy: 10, x: 0 },
            encoding: { y: { field: 'mib', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}

export interface ThroughputBar {
  readonly consumer: string;
  readonly eventsPerSecond: number;
}

/** Events per second per consumer of the same records, horizontal bars, with the projector's target. */
export function throughputChart(title: string, bars: readonly ThroughputBar[], targetPerSecond: number): TopLevelSpec {
  const values = bars.map((bar) => ({ ...bar, eventsPerSecond: Math.round(bar.eventsPerSecond) }));
  return {
    $schema: SCHEMA,
    config: CONFIG,
    title: { text: title, subtitle: `the same records, one after another; red: the projector's target` },
    width: WIDTH,
    height: 40 * bars.length,
    layer: [
      {
        data: { values },
        layer: [
          {
            mark: { type: 'bar', color: '#4c78a8' },
            encoding: {
              y: { field: 'consumer', type: 'nominal', sort: null, title: null },
              x: { field: 'eventsPerSecond', type: 'quantitative', title: 'records per second' },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 4 },
            encoding: {
              y: { field: 'consumer', type: 'nominal', sort: null },
              x: { field: 'eventsPerSecond', type: 'quantitative' },
              text: { field: 'eventsPerSecond', type: 'quantitative', format: ',' },
            },
          },
        ],
      },
      {
        data: { values: [{ target: targetPerSecond, label: `target ≥ ${targetPerSecond.toLocaleString('en')}/s` }] },
        layer: [
          {
            mark: { type: 'rule', color: LIMIT_COLOR, strokeDash: [6, 4] },
            encoding: { x: { field: 'target', type: 'quantitative' } },
          },
          {
            mark: { type: 'text', color: LIMIT_COLOR, align: 'left', dx: 4, y: -8 },
            encoding: { x: { field: 'target', type: 'quantitative' }, text: { field: 'label' } },
          },
        ],
      },
    ],
  };
}

/** Accepted requests per whole second since `startedAt` (ms), from the times each was accepted. */
export function perSecond(acceptedAt: readonly number[], startedAt: number): number[] {
  const counts: number[] = [];
  for (const at of acceptedAt) {
    const second = Math.max(0, Math.floor((at - startedAt) / 1_000));
    while (counts.length <= second) counts.push(0);
    counts[second]! += 1;
  }
  return counts;
}
