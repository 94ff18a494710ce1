/**
 * `npm run bench:memory`: the relay's resident memory at steady state under 1,000 mixed events/s, to show
 * that it does not grow. The relay runs in its own process (projector and dispatcher, as `klaviyo-relay
 * run`) against the Klaviyo sandbox with the rate limits lifted, so the load flows through instead of
 * piling up behind Klaviyo's limits (a backlog is Kafka's to hold, not the relay's memory). RSS is sampled
 * every 5 s (1 s with --quick); the first 20 s are start-up and warm-up, the rest is compared first minute against last
 * minute (first third against last third in a short run), with the least-squares slope.
 * Prints a table and writes bench/results/memory.json and memory.svg, RSS over time (memory-<rate>-per-second.*
 * for another --rate).
 *
 * Options: --long (5 minutes), --seconds <n> (default 60), --rate <n> (default 1,000), --quick (20 s).
 */
import { hasFlag, numberFlag } from './lib/args.ts';
import { rssChart, writeChart } from './lib/charts.ts';
import { runLoad } from './lib/load.ts';
import { describeMachine, machineInfo } from './lib/machine.ts';
import { slope } from './lib/percentiles.ts';
import { writeResults } from './lib/results.ts';
import { acquireBenchStack } from './lib/stack.ts';
import { formatCount, formatMiB, formatMs, renderTable } from './lib/table.ts';
import type { CpuSnapshot } from './lib/worker-protocol.ts';

const quick = hasFlag('--quick');
const long = hasFlag('--long');
const seconds = numberFlag('--seconds', long ? 300 : quick ? 20 : 60);
const rate = numberFlag('--rate', 1_000);
const sampleMs = quick ? 1_000 : 5_000;
const TARGET_RSS_BYTES = 250 * 2 ** 20;
/** Growth allowed between the first and the last window before memory counts as not flat. */
const FLAT_TOLERANCE = 0.1;
const say = (line: string): void => void process.stderr.write(`${line}\n`);

const stack = await acquireBenchStack('bench:memory', say);
try {
  const machineBefore = machineInfo(stack);
  say(`memory benchmark on ${describeMachine(machineBefore)}`);
  const warmupSeconds = 5;
  const result = await runLoad({
    stack,
    name: 'memory',
    mix: 'mixed',
    rate,
    seconds,
    warmupSeconds,
    limits: 'lifted',
    drainTimeoutMs: 60_000,
    partitions: 6,
    sampleMs,
    say,
  });
  const samples = result.relay.samples;
  const ready = samples[0];
  if (ready === undefined) throw new Error('the relay worker reported no memory samples');
  // Steady state: from 20 s after the relay was ready (start-up, warm-up, JIT; 40% of a short run) to the
  // end of the load.
  const loadMs = (warmupSeconds + seconds) * 1_000;
  const steadyFrom = ready.at + Math.min(20_000, loadMs * 0.4);
  const steady = samples.filter((s) => s.at >= steadyFrom && s.at <= ready.at + loadMs);
  if (steady.length < 3) throw new Error(`only ${steady.length} steady-state samples; run longer (--seconds)`);
  const span = steady[steady.length - 1]!.at - steady[0]!.at;
  const window = Math.min(60_000, span / 3);
  const first = steady.filter((s) => s.at <= steady[0]!.at + window);
  const last = steady.filter((s) => s.at >= steady[steady.length - 1]!.at - window);
  const firstRss = median(first.map((s) => s.rssBytes));
  const lastRss = median(last.map((s) => s.rssBytes));
  const peakSteadyRss = Math.max(...steady.map((s) => s.rssBytes));
  const bytesPerMinute = slope(steady.map((s) => ({ x: (s.at - ready.at) / 60_000, y: s.rssBytes })));
  const heapPerMinute = slope(steady.map((s) => ({ x: (s.at - ready.at) / 60_000, y: s.heapUsedBytes })));
  const flat = lastRss <= firstRss * (1 + FLAT_TOLERANCE);
  const underTarget = peakSteadyRss < TARGET_RSS_BYTES;
  const rows = [
    ['window', 'median RSS', 'median heap used', 'median heap total', 'median external', 'samples'],
    [
      `first ${Math.round(window / 1_000)} s`,
      formatMiB(firstRss),
      formatMiB(median(first.map(heap))),
      formatMiB(median(first.map((s) => s.heapTotalBytes))),
      formatMiB(median(first.map((s) => s.externalBytes))),
      String(first.length),
    ],
    [
      `last ${Math.round(window / 1_000)} s`,
      formatMiB(lastRss),
      formatMiB(median(last.map(heap))),
      formatMiB(median(last.map((s) => s.heapTotalBytes))),
      formatMiB(median(last.map((s) => s.externalBytes))),
      String(last.length),
    ],
  ];
  const machine = machineInfo(stack);
  process.stdout.write(
    `\n${renderTable(rows)}\n\n` +
      `steady-state peak RSS ${formatMiB(peakSteadyRss)} (target < ${formatMiB(TARGET_RSS_BYTES)}: ` +
      `${underTarget ? 'met' : 'NOT met'}); RSS slope ${(bytesPerMinute / 2 ** 20).toFixed(1)} MiB/min, heap slope ` +
      `${(heapPerMinute / 2 ** 20).toFixed(1)} MiB/min; flat (last ≤ first + ${FLAT_TOLERANCE * 100}%): ` +
      `${flat ? 'yes' : 'NO'}\n` +
      `load: ${formatCount(result.achievedSendRate)} events/s sent for ${seconds} s, ` +
      `${formatCount(result.klaviyoEventsDelivered)} Klaviyo events delivered, ${formatCount(result.missing)} missing, ` +
      `p99 ${result.latencyMs ? formatMs(result.latencyMs.p99) : '-'}\n` +
      `machine: ${describeMachine(machine)}\n`,
  );
  // The load writes memory.json; another rate gets its own file instead of replacing it.
  const resultsName = rate === 1_000 ? 'memory' : `memory-${rate}-per-second`;
  const file = writeResults(resultsName, {
    benchmark: 'relay RSS at steady state under mixed load, Klaviyo limits lifted',
    at: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: machineBefore.loadAverage },
    settings: { seconds, rate, sampleMs, long, quick, warmupSeconds },
    steadyState: {
      windowSeconds: window / 1_000,
      firstWindowMedianRssBytes: firstRss,
      lastWindowMedianRssBytes: lastRss,
      peakRssBytes: peakSteadyRss,
      rssSlopeBytesPerMinute: Math.round(bytesPerMinute),
      heapSlopeBytesPerMinute: Math.round(heapPerMinute),
      flat,
    },
    targets: { rssBytes: TARGET_RSS_BYTES, underTarget, flat },
    load: {
      achievedSendRate: result.achievedSendRate,
      klaviyoEventsDelivered: result.klaviyoEventsDelivered,
      missing: result.missing,
      latencyMs: result.latencyMs,
      relayCounters: result.relay.counters,
      relayPeakRssBytes: result.relay.peakRssBytes,
      relayCpuSecondsPer10kEvents: result.relay.cpuSecondsPer10kEvents,
      sandboxAndProducerCpuSecondsPer10kEvents: result.loadGeneratorCpuSecondsPer10kEvents,
    },
    samples: samples.map((s: CpuSnapshot) => ({
      secondsSinceReady: Math.round((s.at - ready.at) / 100) / 10,
      rssBytes: s.rssBytes,
      heapUsedBytes: s.heapUsedBytes,
      heapTotalBytes: s.heapTotalBytes,
      externalBytes: s.externalBytes,
      cpuSeconds: Math.round(s.cpuSeconds * 100) / 100,
    })),
  });
  say(`wrote ${file}`);
  const chart = await writeChart(
    resultsName,
    rssChart(
      `Relay memory under ${formatCount(rate)} mixed events/s for ${seconds} s (Klaviyo limits lifted)`,
      samples.map((s) => ({
        secondsSinceReady: (s.at - ready.at) / 1_000,
        rssBytes: s.rssBytes,
        heapUsedBytes: s.heapUsedBytes,
      })),
      TARGET_RSS_BYTES,
    ),
  );
  say(`wrote ${chart}`);
  process.exitCode = flat && underTarget && result.missing === 0 ? 0 : 1;
} finally {
  await stack.release();
}

function heap(sample: CpuSnapshot): number {
  return sample.heapUsedBytes;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
