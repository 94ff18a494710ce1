/**
 * `npm run bench:codec`: decode + validate throughput on one core for OrderPlaced with 3 line items, next
 * to JSON.parse + the same zod validation of the same event, in the same run. Prints a table and writes
 * bench/results/codec.json. The registry is an in-memory map here: after the first record the decoder
 * never calls it (the writer plan is cached per schema id), so this measures the per-record CPU path.
 * The headline figure is events per second of this process's CPU time (one core), because the shared
 * development machine is often busy; wall-clock rates are reported beside it.
 *
 * Options: --seconds <n> per measurement (default 2), --rounds <n> (default 3; the median is reported).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import avro from 'avsc';
import { createEventDecoder } from '../src/codec/decoder.ts';
import type { SchemaRegistry } from '../src/codec/registry-client.ts';
import { frame } from '../src/codec/wire-format.ts';
import type { DomainEvent } from '../src/domain/events.ts';
import { loadExample } from '../src/domain/examples.ts';
import { EVENT_SCHEMAS } from '../src/domain/generated/schemas.ts';
import { createEventValidator } from '../src/domain/validation.ts';

const seconds = numberArgument('--seconds', 2);
const rounds = numberArgument('--rounds', 3);
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
const avroBytes = frame(SCHEMA_ID, avro.Type.forSchema(EVENT_SCHEMAS.OrderPlaced.schema).toBuffer(event.data));
const jsonText = JSON.stringify(event.data);
const jsonBytes = Buffer.byteLength(jsonText);

function avroDecodeAndValidate(): void {
  // As a consumer's loop over a batch does it: synchronous once the schema id is cached (warm-up below).
  const result = decoder.decodeCached(avroBytes);
  if (result === undefined) throw new Error('schema id not cached: the warm-up did not run');
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

// Warm up both paths (the decoder's plan cache: one registry call; then the JIT) before measuring.
const first = await decoder.decode(avroBytes);
if (!first.ok) throw first.error;
for (let i = 0; i < 20_000; i += 1) {
  avroDecodeAndValidate();
  jsonParseAndValidate();
}

const avroRounds: Rate[] = [];
const jsonRounds: Rate[] = [];
for (let round = 0; round < rounds; round += 1) {
  avroRounds.push(measure(avroDecodeAndValidate));
  jsonRounds.push(measure(jsonParseAndValidate));
}

const avroRate = median(avroRounds.map((rate) => rate.cpu));
const jsonRate = median(jsonRounds.map((rate) => rate.cpu));
const avroWall = median(avroRounds.map((rate) => rate.wall));
const jsonWall = median(jsonRounds.map((rate) => rate.wall));
const target = 150_000;
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
  eventsPerCpuSecond: { avroDecodeValidate: Math.round(avroRate), jsonParseValidate: Math.round(jsonRate) },
  eventsPerWallSecond: { avroDecodeValidate: Math.round(avroWall), jsonParseValidate: Math.round(jsonWall) },
  rounds: { avro: avroRounds.map(rounded), json: jsonRounds.map(rounded) },
  target: { eventsPerSecond: target, met: avroRate >= target, fasterThanJson: avroRate > jsonRate },
};

const rows = [
  ['path', 'events/CPU-s', 'CPU µs/event', 'events/wall-s', 'bytes/event'],
  [
    'Avro decode (cached resolver) + zod',
    format(avroRate),
    (1e6 / avroRate).toFixed(2),
    format(avroWall),
    String(avroBytes.length),
  ],
  [
    'JSON.parse + zod (baseline)',
    format(jsonRate),
    (1e6 / jsonRate).toFixed(2),
    format(jsonWall),
    String(Buffer.byteLength(jsonText)),
  ],
];
const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
for (const row of rows) process.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ')}\n`);
process.stdout.write(
  `\ntarget ${format(target)} events/s: ${results.target.met ? 'met' : 'NOT met'}; ` +
    `Avro vs JSON: ${(avroRate / jsonRate).toFixed(2)}× (${results.machine.cpu}, ${results.machine.node}, ` +
    `load average ${loadavg()[0]!.toFixed(1)})\n`,
);

const resultsDirectory = new URL('./results/', import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(new URL('codec.json', resultsDirectory), `${JSON.stringify(results, null, 2)}\n`);
process.exitCode = results.target.met && results.target.fasterThanJson ? 0 : 1;

function rounded(rate: Rate): Rate {
  return { wall: Math.round(rate.wall), cpu: Math.round(rate.cpu) };
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
