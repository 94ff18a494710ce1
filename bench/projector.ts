/**
 * `npm run bench:projector`: how many events per second the projector consumes, decodes, validates,
 * projects and commits transactionally to the outbound topic, beside two anchors in the same run, on the
 * same broker and the same records: Kafka's own kafka-consumer-perf-test and a plain kafkajs consumer that
 * only counts. Prints a table and writes bench/results/projector.json and projector.svg (the three side by side).
 *
 * Options: --events <n> (default 200,000), --partitions <n> per topic (default 6), --quick (20,000 events),
 * --instances <n> (projector processes in one consumer group, default 1), --cpu-prof (writes each projector
 * process's V8 CPU profile to bench/results/profiles/).
 * Each consumer runs in its own process; its rate is measured from the moment it has joined its group to
 * its last record (the projector: until its committed offsets reach the end of every partition), its CPU
 * over the same span (the perf-test's over its whole life: GNU time cannot split it), RSS at its peak.
 */
import path from 'node:path';
import { hasFlag, numberFlag } from './lib/args.ts';
import { throughputChart, writeChart } from './lib/charts.ts';
import { mixedEvent, RESET_LINK_HOST, MIXED_TYPES } from './lib/events.ts';
import { forkWorker } from './lib/fork-worker.ts';
import { benchKafka, committedReached, createTopics, endOffsets } from './lib/kafka.ts';
import { ensureKafkaTools, runConsumerPerformance } from './lib/kafka-tools.ts';
import { describeMachine, machineInfo } from './lib/machine.ts';
import { preproduce } from './lib/preproduce.ts';
import { forkRelayWorker } from './lib/relay-node-flags.ts';
import { writeResults } from './lib/results.ts';
import { benchPrefix, deleteRunTopics, newRunId, topicOf } from './lib/run-id.ts';
import { acquireBenchStack } from './lib/stack.ts';
import { formatCount, formatMiB, renderTable } from './lib/table.ts';
import { DEFAULT_TOPICS } from '../src/domain/topics.ts';

const quick = hasFlag('--quick');
const events = numberFlag('--events', quick ? 20_000 : 200_000);
const partitions = numberFlag('--partitions', 6);
const instances = numberFlag('--instances', 1);
const profile = hasFlag('--cpu-prof');
const PROFILE_DIR = new URL('./results/profiles/', import.meta.url).pathname;
const say = (line: string): void => void process.stderr.write(`${line}\n`);

interface ConsumerResult {
  readonly name: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly cpuSecondsPer10k: number;
  readonly peakRssBytes: number;
  readonly note: string;
}

const stack = await acquireBenchStack('bench:projector', say);
const runId = newRunId();
const prefix = benchPrefix('projector', runId);
const toTopic = topicOf(prefix);
const sourceTopics = [...new Set(MIXED_TYPES.map((type) => `${prefix}${DEFAULT_TOPICS[type]}`))];
const kafka = benchKafka(stack.kafkaBrokers, 'bench-projector');
const admin = kafka.admin();
await admin.connect();
let exitCode = 0;
try {
  const machineBefore = machineInfo(stack);
  say(`projector benchmark: ${formatCount(events)} events on ${describeMachine(machineBefore)}`);
  await createTopics(admin, sourceTopics, partitions);
  const now = Date.now();
  const pool = Array.from({ length: 3_000 }, (_, n) => mixedEvent(n, runId, now));
  const produced = await preproduce({
    kafka,
    registryUrl: stack.schemaRegistryUrl,
    count: events,
    pool,
    topicOf: toTopic,
  });
  say(`pre-produced ${formatCount(produced.records)} records in ${produced.seconds.toFixed(1)} s`);
  const ends = await endOffsets(admin, sourceTopics);

  // 1. Kafka's own consumer benchmark.
  const classpath = await ensureKafkaTools(stack.settings, say);
  const escapedPrefix = prefix.replaceAll('.', '\\.');
  const perf = await runConsumerPerformance(
    {
      javaCommand: stack.settings.javaCommand,
      classpath,
      bootstrapServer: stack.kafkaBrokers,
      topicsPattern: `${escapedPrefix}(${sourceTopics.map((t) => t.slice(prefix.length).replaceAll('.', '\\.')).join('|')})`,
      messages: events,
      group: `${prefix}perf-test`,
      timeoutMs: 30_000,
    },
    path.join(stack.settings.cacheDir, 'bench'),
  );
  if (perf.report.messages < events) {
    throw new Error(`kafka-consumer-perf-test read ${perf.report.messages} of ${events} records`);
  }
  const perfResult: ConsumerResult = {
    name: 'kafka-consumer-perf-test (Java)',
    events: perf.report.messages,
    seconds: perf.report.fetchTimeMs / 1_000,
    eventsPerSecond: perf.report.fetchMessagesPerSecond,
    cpuSecondsPer10k: (perf.cpuSeconds / perf.report.messages) * 10_000,
    peakRssBytes: perf.peakRssBytes,
    note: 'fetch time (group join excluded); CPU includes JVM start-up',
  };
  say(`kafka-consumer-perf-test: ${formatCount(perfResult.eventsPerSecond)} events/s`);

  // 2. A plain kafkajs consumer that only counts.
  const counter = forkWorker(new URL('./workers/count-consumer.ts', import.meta.url), {
    BENCH_BROKERS: stack.kafkaBrokers,
    BENCH_TOPICS: sourceTopics.join(','),
    BENCH_GROUP: `${prefix}count`,
    BENCH_EXPECTED: String(events),
  });
  const counterReady = await counter.ready;
  const counterDone = await counter.done;
  const counterSeconds = (counterDone.snapshot.at - counterReady.snapshot.at) / 1_000;
  const counterResult: ConsumerResult = {
    name: 'plain kafkajs consumer (counts only)',
    events: counterDone.counters['counted'] ?? 0,
    seconds: counterSeconds,
    eventsPerSecond: events / counterSeconds,
    cpuSecondsPer10k: ((counterDone.snapshot.cpuSeconds - counterReady.snapshot.cpuSeconds) / events) * 10_000,
    peakRssBytes: counterDone.peakRssBytes,
    note: 'kafkajs defaults, eachBatch',
  };
  say(`plain kafkajs consumer: ${formatCount(counterResult.eventsPerSecond)} events/s`);

  // 3. The projector, as `klaviyo-relay run --role projector` runs it: one process, or --instances of them
  // in one consumer group (the projector scales by partitions, as replicas of the service would).
  const outboundTopic = `${prefix}klaviyo.requests`;
  const projectorGroup = `${prefix}projector`;
  const projectors = Array.from({ length: instances }, () =>
    forkRelayWorker(
      {
        KAFKA_BROKERS: stack.kafkaBrokers,
        SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
        RELAY_ROLE: 'projector',
        RELAY_SOURCE_TOPICS: sourceTopics.join(','),
        RELAY_OUTBOUND_TOPIC: outboundTopic,
        RELAY_AUDIT_TOPIC: `${prefix}audit`,
        RELAY_PROJECTOR_GROUP: projectorGroup,
        RELAY_PROJECTOR_TRANSACTIONS: 'true',
        RELAY_TOPIC_PARTITIONS: String(partitions),
        RELAY_RESET_LINK_HOSTS: RESET_LINK_HOST,
        RELAY_HTTP_HOST: '127.0.0.1',
        RELAY_HTTP_PORT: '0',
        LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'fatal',
      },
      profile ? PROFILE_DIR : undefined,
    ),
  );
  let projectorDone;
  let projectorSeconds: number;
  let projectorReady;
  try {
    projectorReady = await Promise.all(projectors.map((projector) => projector.ready));
    // From the first process's start: with several, the time their group takes to settle counts too.
    const startedAt = Math.min(...projectorReady.map((ready) => ready.receivedAt));
    const deadline = Date.now() + Math.max(180_000, events);
    let reachedAt: number | undefined;
    while (reachedAt === undefined) {
      if (await committedReached(admin, projectorGroup, ends)) reachedAt = Date.now();
      else if (Date.now() > deadline) throw new Error('the projector did not commit to the end in time');
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    projectorSeconds = (reachedAt - startedAt) / 1_000;
    for (const projector of projectors) projector.stop();
    projectorDone = await Promise.all(projectors.map((projector) => projector.done));
  } catch (error) {
    for (const projector of projectors) projector.kill();
    throw error;
  }
  const projectorCpu = projectorDone.reduce(
    (sum, done, index) => sum + done.snapshot.cpuSeconds - projectorReady[index]!.snapshot.cpuSeconds,
    0,
  );
  const projectorCounters = sumCounters(projectorDone.map((done) => done.counters));
  const projectorResult: ConsumerResult = {
    name: `klaviyo-relay projector (transactional${instances === 1 ? '' : `, ${instances} processes`})`,
    events,
    seconds: projectorSeconds,
    eventsPerSecond: events / projectorSeconds,
    cpuSecondsPer10k: (projectorCpu / events) * 10_000,
    peakRssBytes: Math.max(...projectorDone.map((done) => done.peakRssBytes)),
    note:
      'consume, decode, validate, project, produce + commit in transactions' +
      (instances === 1 ? '' : `; ${instances} processes in one group, CPU summed, peak RSS of the largest`),
  };
  say(`projector: ${formatCount(projectorResult.eventsPerSecond)} events/s`);

  const consumers = [projectorResult, counterResult, perfResult];
  const rows = [
    ['consumer', 'events/s', 'vs perf-test', 'vs kafkajs', 'CPU s/10k events', 'peak RSS', 'seconds'],
    ...consumers.map((result) => [
      result.name,
      formatCount(result.eventsPerSecond),
      `${((result.eventsPerSecond / perfResult.eventsPerSecond) * 100).toFixed(0)}%`,
      `${((result.eventsPerSecond / counterResult.eventsPerSecond) * 100).toFixed(0)}%`,
      result.cpuSecondsPer10k.toFixed(2),
      formatMiB(result.peakRssBytes),
      result.seconds.toFixed(1),
    ]),
  ];
  const targets = {
    eventsPerSecond: { target: 20_000, met: projectorResult.eventsPerSecond >= 20_000 },
    shareOfPerfTest: {
      target: 0.25,
      measured: projectorResult.eventsPerSecond / perfResult.eventsPerSecond,
      met: projectorResult.eventsPerSecond >= 0.25 * perfResult.eventsPerSecond,
    },
  };
  const machine = machineInfo(stack);
  process.stdout.write(`\n${renderTable(rows)}\n\n`);
  process.stdout.write(
    `targets: ≥ 20,000 events/s ${targets.eventsPerSecond.met ? 'met' : 'NOT met'}; ` +
      `≥ 25% of kafka-consumer-perf-test ${targets.shareOfPerfTest.met ? 'met' : 'NOT met'} ` +
      `(${(targets.shareOfPerfTest.measured * 100).toFixed(0)}%)\n` +
      `machine: ${describeMachine(machine)}\n`,
  );
  const file = writeResults('projector', {
    benchmark: 'projector throughput beside kafka-consumer-perf-test and a plain kafkajs consumer',
    at: new Date().toISOString(),
    machine: { ...machine, loadAverageAtStart: machineBefore.loadAverage },
    settings: { events, partitions, topics: sourceTopics.length, quick, distinctEvents: pool.length },
    produced: {
      records: produced.records,
      meanRecordBytes: Math.round(produced.bytes / produced.records),
      seconds: produced.seconds,
      perTopic: produced.perTopic,
    },
    consumers,
    projectorCounters,
    instances,
    perfTestColumns: perf.report.columns,
    perfTestWallSeconds: perf.wallSeconds,
    targets,
  });
  say(`wrote ${file}`);
  const chart = await writeChart(
    'projector',
    throughputChart(
      `Consuming the same ${formatCount(events)} records (${sourceTopics.length} topics × ${partitions} partitions, 2 shared cores)`,
      consumers.map((result) => ({ consumer: result.name, eventsPerSecond: result.eventsPerSecond })),
      targets.eventsPerSecond.target,
    ),
  );
  say(`wrote ${chart}`);
  const projected = projectorCounters['recordsConsumed'] ?? 0;
  if (projected < events || (projectorCounters['deadLetters'] ?? 0) > 0) {
    say(`the projector counted ${projected} records and ${projectorCounters['deadLetters']} dead letters`);
    exitCode = 1;
  }
} finally {
  await deleteRunTopics(admin, prefix).catch((error: unknown) => say(`could not delete the run's topics: ${error}`));
  await admin.deleteGroups([`${prefix}perf-test`, `${prefix}count`, `${prefix}projector`]).catch(() => undefined);
  await admin.disconnect();
  await stack.release();
}
process.exitCode = exitCode;

function sumCounters(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const counters of all) {
    for (const [name, value] of Object.entries(counters)) sum[name] = (sum[name] ?? 0) + value;
  }
  return sum;
}
