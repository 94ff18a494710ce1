/**
 * `npm run bench:codec`: decode + validate throughput on one core for OrderPlaced with 3 line items, next
 * to JSON.parse + the same zod validation of the same event, in the same run. Prints a table and writes
 * bench/results/codec.json. The registry is an in-memory map here: after the first record the decoder
 * never calls it (the writer plan is cached per schema id), so this measures the per-record CPU path.
 * The headline figure is events per second of this process's CPU time (one core), because the shared
 * development machine is often busy; wall-clock rates are reported beside it.
 *
 * Two more rows say where the Avro path's time goes: the same decoder with a validator that accepts
 * everything (decode only), and the validator alone on an already decoded event (validation only).
 *
 * Options: --seconds <n> per measurement (default 1), --rounds <n> (default 5). Rounds of the paths are
 * interleaved, so a burst of load from other processes hits all of them; the median and the best round
 * are reported.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import avro from 'avsc';
import { createEventDecoder } from '../src/codec/decoder.ts';
import type { SchemaRegistry } from '../src/codec/registry-client.ts';
import { HEADER_BYTES, frame } from '../src/codec/wire-format.ts';
import type { DomainEvent } from '../src/domain/events.ts';
import type { EventValidator } from '../src/domain/validation.ts';
import { loadExample } from '../src/domain/examples.ts';
import { EVENT_SCHEMAS } from '../src/domain/generated/schemas.ts';
import { createEventValidator } from '../src/domain/validation.ts';

const seconds = numberArgument('--seconds', 1);
const rounds = numberArgument('--rounds', 5);
const SCHEMA_ID = 1;

const example = loadExample('OrderPlaced');
const firstItem = example.data.lineItems[0]!;
const event: DomainEvent = {
  type: 'OrderPlaced',
  data: {
    ...example.data,
    totalMinor: 999 + 1_598 + 2_997,
    lineItems: [
      firstItem,
      {
        ...firstItem,
        lineItemId: '2',
        productId: '2222',
        sku: 'PIGLET',
        name: 'Piglet',
        quantity: 2,
        rowTotalMinor: 1_598,
        unitPriceMinor: 799,
      },
      {
        ...firstItem,
        lineItemId: '3',
        productId: '3333',
        sku: 'EEYORE',
        name: 'Eeyore',
        quantity: 3,
        rowTotalMinor: 2_997,
      },
    ],
  },
};

const registry: SchemaRegistry = {
  async getSchemaById(id) {
    return { id, schema: JSON.stringify(EVENT_SCHEMAS.OrderPlaced.schema), schemaType: 'AVRO' };
  },
  async register() {
    return SCHEMA_ID;
  },
};
const validator = createEventValidator({ resetLinkHosts: [], now: Date.now });
const decoder = createEventDecoder({ registry, validator });
/** Accepts every event: the decoder with it measures decoding alone. */
const acceptAll: EventValidator = { validate: (decoded) => ({ ok: true, event: decoded }) };
const decodeOnlyDecoder = createEventDecoder({ registry, validator: acceptAll });
const avroBytes = frame(SCHEMA_ID, avro.Type.forSchema(EVENT_SCHEMAS.OrderPlaced.schema).toBuffer(event.data));
const jsonText = JSON.stringify(event.data);
const jsonBytes = Buffer.byteLength(jsonText);

function avroDecodeAndValidate(): void {
  // As a consumer's loop over a batch does it: synchronous once the schema id is cached (warm-up below).
  const result = decoder.decodeCached(avroBytes);
  if (result === undefined) throw new Error('schema id not cached: the warm-up did not run');
  if (!result.ok) throw result.error;
}

function avroDecodeOnly(): void {
  const result = decodeOnlyDecoder.decodeCached(avroBytes);
  if (result === undefined) throw new Error('schema id not cached: the warm-up did not run');
  if (!result.ok) throw result.error;
}

function validateOnly(): void {
  const result = validator.validate(decodedEvent, { encodedBytes: avroBytes.length - HEADER_BYTES });
  if (!result.ok) throw result.error;
}

function jsonParseAndValidate(): void {
  // The same size hint the Avro path gets: a JSON string never takes more UTF-8 bytes than its JSON text.
  const result = validator.validate({ type: 'OrderPlaced', data: JSON.parse(jsonText) } as DomainEvent, {
    encodedBytes: jsonBytes,
  });
  if (!result.ok) throw result.error;
}

interface Rate {
  /** Events per wall-clock second: what this run saw, on a machine that may be busy with other work. */
  readonly wall: number;
  /** Events per second of this process's CPU time: the one-core figure, less sensitive to other load. */
  readonly cpu: number;
}

/** Throughput over `seconds`, calling `run` in batches to keep timer reads off the hot path. */
function measure(run: () => void): Rate {
  const batch = 1_000;
  const deadline = performance.now() + seconds * 1_000;
  let events = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  while (performance.now() < deadline) {
    for (let i = 0; i < batch; i += 1) run();
    events += batch;
  }
  const cpu = process.cpuUsage(cpuStarted);
  return {
    wall: events / ((performance.now() - started) / 1_000),
    cpu: events / ((cpu.user + cpu.system) / 1e6),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

// Warm up every path (the decoders' plan caches: one registry call each; then the JIT) before measuring.
const first = await decoder.decode(avroBytes);
if (!first.ok) throw first.error;
const decodedEvent = first.event;
const firstDecodeOnly = await decodeOnlyDecoder.decode(avroBytes);
if (!firstDecodeOnly.ok) throw firstDecodeOnly.error;
const paths = {
  avroDecodeValidate: avroDecodeAndValidate,
  jsonParseValidate: jsonParseAndValidate,
  avroDecodeOnly,
  validateOnly,
};
type PathName = keyof typeof paths;
const pathNames = Object.keys(paths) as PathName[];
for (let i = 0; i < 20_000; i += 1) for (const name of pathNames) paths[name]();

const measured = Object.fromEntries(pathNames.map((name) => [name, [] as Rate[]])) as Record<PathName, Rate[]>;
for (let round = 0; round < rounds; round += 1) {
  for (const name of pathNames) measured[name].push(measure(paths[name]));
}

/** Median and best round of one path, per CPU-second and per wall-second. */
function summary(name: PathName): { median: Rate; best: Rate } {
  const cpu = measured[name].map((rate) => rate.cpu);
  const wall = measured[name].map((rate) => rate.wall);
  return { median: { cpu: median(cpu), wall: median(wall) }, best: { cpu: Math.max(...cpu), wall: Math.max(...wall) } };
}
const summaries = Object.fromEntries(pathNames.map((name) => [name, summary(name)])) as Record<
  PathName,
  { median: Rate; best: Rate }
>;
const avroRate = summaries.avroDecodeValidate.median.cpu;
const jsonRate = summaries.jsonParseValidate.median.cpu;
const avroWall = summaries.avroDecodeValidate.median.wall;
const target = 150_000;
const microseconds = (rate: number): number => 1e6 / rate;
/** Where one Avro event's CPU time goes (medians); decode includes unframing and the result objects. */
const breakdown = {
  totalMicros: microseconds(avroRate),
  decodeMicros: microseconds(summaries.avroDecodeOnly.median.cpu),
  validateMicros: microseconds(summaries.validateOnly.median.cpu),
};
const results = {
  benchmark: 'codec: decode + validate OrderPlaced with 3 line items, one core',
  at: new Date().toISOString(),
  machine: {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  },
  settings: { secondsPerRound: seconds, rounds },
  sizes: { avroBytes: avroBytes.length, jsonBytes: Buffer.byteLength(jsonText) },
  loadAverage1m: loadavg()[0],
  median: mapPaths((name) => rounded(summaries[name].median)),
  best: mapPaths((name) => rounded(summaries[name].best)),
  cpuMicrosPerEvent: {
    total: round2(breakdown.totalMicros),
    decode: round2(breakdown.decodeMicros),
    validate: round2(breakdown.validateMicros),
  },
  rounds: mapPaths((name) => measured[name].map(rounded)),
  target: {
    eventsPerSecond: target,
    /** The one-core figure decides: events per CPU-second, median round. */
    met: avroRate >= target,
    metPerWallSecond: avroWall >= target,
    fasterThanJson: avroRate > jsonRate,
  },
};

const labels: Record<PathName, string> = {
  avroDecodeValidate: 'Avro decode (cached resolver) + zod',
  jsonParseValidate: 'JSON.parse + zod (baseline)',
  avroDecodeOnly: '  of which Avro decode only',
  validateOnly: '  of which zod validation only',
};
const rows = [
  ['path', 'events/CPU-s', 'best', 'CPU µs/event', 'events/wall-s', 'best', 'bytes/event'],
  ...pathNames.map((name) => {
    const { median: mid, best } = summaries[name];
    const bytes = name === 'jsonParseValidate' ? jsonBytes : name === 'validateOnly' ? 0 : avroBytes.length;
    return [
      labels[name],
      format(mid.cpu),
      format(best.cpu),
      microseconds(mid.cpu).toFixed(2),
      format(mid.wall),
      format(best.wall),
      bytes === 0 ? '' : String(bytes),
    ];
  }),
];
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
const load = loadavg()[0]!;
process.stdout.write(
  `\nmedian of ${rounds} rounds of ${seconds} s each (${results.machine.cpu}, ${results.machine.node}, ` +
    `${results.machine.cores} cores, load average ${load.toFixed(1)})\n` +
    `target ${format(target)} events/s on one core (events per CPU-second): ` +
    `${results.target.met ? 'met' : 'NOT met'} at ${format(avroRate)}; ` +
    `Avro vs JSON: ${(avroRate / jsonRate).toFixed(2)}× ${results.target.fasterThanJson ? '(faster)' : '(NOT faster)'}\n` +
    `per wall-second: ${format(avroWall)} (${results.target.metPerWallSecond ? 'met' : 'NOT met'}); ` +
    `wall rates fall below CPU rates when other processes hold the cores\n` +
    `CPU µs per Avro event: decode ${breakdown.decodeMicros.toFixed(2)} + validation ` +
    `${breakdown.validateMicros.toFixed(2)} + the rest (GC, other load) ` +
    `${(breakdown.totalMicros - breakdown.decodeMicros - breakdown.validateMicros).toFixed(2)} = ` +
    `${breakdown.totalMicros.toFixed(2)} (budget at the target: ${microseconds(target).toFixed(2)})\n`,
);
if (!results.target.met) {
  process.stdout.write(
    `limit: ${breakdown.decodeMicros >= breakdown.validateMicros ? 'Avro decoding (avsc record readers)' : 'zod validation'} ` +
      `is the larger share; profile with \`scripts/with-node.sh node --cpu-prof bench/codec.ts\`\n`,
  );
}

const resultsDirectory = new URL('./results/', import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(new URL('codec.json', resultsDirectory), `${JSON.stringify(results, null, 2)}\n`);
process.exitCode = results.target.met && results.target.fasterThanJson ? 0 : 1;

function rounded(rate: Rate): Rate {
  return { wall: Math.round(rate.wall), cpu: Math.round(rate.cpu) };
}

function mapPaths<T>(value: (name: PathName) => T): Record<PathName, T> {
  return Object.fromEntries(pathNames.map((name) => [name, value(name)])) as Record<PathName, T>;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
