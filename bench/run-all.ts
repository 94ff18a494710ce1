/**
 * `npm run bench`: every benchmark in one run, one after another on the same machine and the same stack,
 * so that the figures are comparable (the machine's noise is the same noise). Each part runs as its own
 * process and writes its own bench/results/<part>.json; this prints one summary table of the headline
 * figures and writes bench/results/all.json with the machine and its load average before and after.
 *
 * Options: --quick (every part's smoke setting: the whole run in a few minutes), --long (the memory part
 * runs 5 minutes), --only <part,part> (codec, projector, latency, delivery, memory).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hasFlag } from './lib/args.ts';
import { describeMachine, machineInfo, type MachineInfo } from './lib/machine.ts';
import { readResults, writeResults } from './lib/results.ts';
import { acquireBenchStack } from './lib/stack.ts';
import { formatCount, formatMiB, formatMs, renderTable, type Row } from './lib/table.ts';

const quick = hasFlag('--quick');
const long = hasFlag('--long');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? (process.argv[onlyIndex + 1] ?? '').split(',') : undefined;
const say = (line: string): void => void process.stderr.write(`${line}\n`);

interface Part {
  readonly name: string;
  readonly script: string;
  readonly args: readonly string[];
}

const PARTS: readonly Part[] = [
  { name: 'codec', script: 'codec.ts', args: quick ? ['--seconds', '1', '--rounds', '1'] : [] },
  { name: 'projector', script: 'projector.ts', args: quick ? ['--quick'] : [] },
  { name: 'latency', script: 'latency.ts', args: quick ? ['--quick'] : [] },
  { name: 'delivery', script: 'delivery.ts', args: quick ? ['--quick'] : [] },
  { name: 'memory', script: 'memory.ts', args: long ? ['--long'] : quick ? ['--quick'] : [] },
];

interface PartOutcome {
  readonly name: string;
  readonly status: 'ran' | 'missing';
  readonly exitCode: number | null;
  readonly seconds: number;
}

function runPart(part: Part): Promise<PartOutcome> {
  const script = new URL(part.script, import.meta.url);
  if (!existsSync(script)) {
    say(`\n== ${part.name}: bench/${part.script} does not exist yet; skipped`);
    return Promise.resolve({ name: part.name, status: 'missing', exitCode: null, seconds: 0 });
  }
  say(`\n== ${part.name}: node bench/${part.script} ${part.args.join(' ')}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script.pathname, ...part.args], {
      stdio: 'inherit',
      // Parts may write results relative to the repository root.
      cwd: new URL('..', import.meta.url).pathname,
    });
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ name: part.name, status: 'ran', exitCode: code, seconds: (performance.now() - started) / 1_000 }),
    );
  });
}

// Holding a lease keeps the stack up between parts (each part takes its own lease too).
const stack = await acquireBenchStack('bench', say);
const startedAt = new Date();
let machineBefore: MachineInfo | undefined;
const outcomes: PartOutcome[] = [];
try {
  machineBefore = machineInfo(stack);
  say(`benchmarks on ${describeMachine(machineBefore)}`);
  for (const part of PARTS) {
    if (only !== undefined && !only.includes(part.name)) continue;
    outcomes.push(await runPart(part));
  }
} finally {
  await stack.release();
}

/** A part's results, only if it wrote them during this run (an old file would mix two machines' noise). */
function fresh(name: string): Record<string, unknown> | undefined {
  const results = readResults(name);
  if (typeof results !== 'object' || results === null) return undefined;
  // bench/delivery.ts (the delivery engineer's) stamps `measuredAt`; ours stamp `at`.
  const stamp = 'at' in results ? results.at : 'measuredAt' in results ? results.measuredAt : undefined;
  if (stamp === undefined) return undefined;
  const at = new Date(String(stamp));
  return at >= startedAt ? (results as Record<string, unknown>) : undefined;
}

type Json = Record<string, unknown>;
const get = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (node, key) => (typeof node === 'object' && node !== null ? (node as Json)[key] : undefined),
    value,
  );
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

const rows: Row[] = [['part', 'figure', 'value', 'target']];
const codec = fresh('codec');
if (codec) {
  // A figure the part did not write shows as missing, never as a zero that looks measured.
  const perCpuSecond = (path: string): string => {
    const value = num(get(codec, 'median', path, 'cpu'));
    return value === undefined ? 'missing from codec.json' : formatCount(value);
  };
  rows.push(
    ['codec', 'Avro decode + validate, events/CPU-s (median)', perCpuSecond('avroDecodeValidate'), '≥ 150,000'],
    ['codec', 'JSON.parse + validate, events/CPU-s (median)', perCpuSecond('jsonParseValidate'), ''],
  );
}
const projector = fresh('projector');
if (projector) {
  const consumers = (get(projector, 'consumers') as Json[] | undefined) ?? [];
  for (const consumer of consumers) {
    rows.push([
      'projector',
      `${String(consumer['name'])}: events/s, CPU s/10k, peak RSS`,
      `${formatCount(num(consumer['eventsPerSecond']) ?? 0)}, ${(num(consumer['cpuSecondsPer10k']) ?? 0).toFixed(2)}, ${formatMiB(num(consumer['peakRssBytes']) ?? 0)}`,
      '',
    ]);
  }
  const share = num(get(projector, 'targets', 'shareOfPerfTest', 'measured')) ?? 0;
  rows.push(['projector', 'share of kafka-consumer-perf-test', `${(share * 100).toFixed(0)}%`, '≥ 25%, ≥ 20,000/s']);
}
const latency = fresh('latency');
if (latency) {
  for (const scenario of (get(latency, 'scenarios') as Json[] | undefined) ?? []) {
    const ms = (key: string) => {
      const value = num(get(scenario, 'latencyMs', key));
      return value === undefined ? '-' : formatMs(value);
    };
    rows.push([
      'latency',
      `${String(scenario['mix'])} @ ${formatCount(num(scenario['targetRate']) ?? 0)}/s, ${String(scenario['limits'])} limits: p50 / p99 / max`,
      `${ms('p50')} / ${ms('p99')} / ${ms('max')}, ${formatCount(num(scenario['missing']) ?? 0)} missing, ${formatCount(num(get(scenario, 'sandbox', 'rateLimited')) ?? 0)} × 429`,
      `p99 < ${formatMs(num(scenario['targetP99Ms']) ?? 0)}`,
    ]);
  }
}
const delivery = fresh('delivery');
if (delivery) {
  for (const lane of (get(delivery, 'results') as Json[] | undefined) ?? []) {
    rows.push([
      'delivery',
      `${String(lane['lane'])} lane: events/s achieved, 429s (allowed ${String(lane['allowedBurst'])}, ${String(lane['allowedSteady'])})`,
      `${formatCount(num(lane['achievedEventsPerSecond']) ?? 0)}, ${formatCount(num(lane['rateLimited429']) ?? 0)} × 429`,
      '',
    ]);
  }
}
const memory = fresh('memory');
if (memory) {
  rows.push([
    'memory',
    'RSS first → last window, slope',
    `${formatMiB(num(get(memory, 'steadyState', 'firstWindowMedianRssBytes')) ?? 0)} → ${formatMiB(num(get(memory, 'steadyState', 'lastWindowMedianRssBytes')) ?? 0)}, ${((num(get(memory, 'steadyState', 'rssSlopeBytesPerMinute')) ?? 0) / 2 ** 20).toFixed(1)} MiB/min`,
    '< 250 MiB, flat',
  ]);
}
const machineAfter = machineInfo(stack);
process.stdout.write(`\n${renderTable(rows)}\n\nmachine: ${describeMachine(machineAfter)}\n`);
for (const outcome of outcomes) {
  if (outcome.status === 'missing') process.stdout.write(`${outcome.name}: not run (script missing)\n`);
  else if (outcome.exitCode !== 0)
    process.stdout.write(`${outcome.name}: exit ${outcome.exitCode} (a target missed, or a failure above)\n`);
}
const file = writeResults('all', {
  benchmark: 'all parts in one run',
  at: startedAt.toISOString(),
  settings: { quick, long, only },
  machineBefore,
  machineAfter,
  parts: outcomes,
  summary: rows,
});
say(`wrote ${file}`);
process.exitCode = outcomes.every((outcome) => outcome.status === 'missing' || outcome.exitCode === 0) ? 0 : 1;
