/**
 * `npm run bench:dlq`: how fast `klaviyo-relay dlq replay` plans and replays dead letters on the real
 * broker. Writes N dead letters (with the pipeline's own ~30 context headers) to a fresh `<source>.dlq`,
 * then measures: planning (reading and selecting every record, what `--dry-run` does), a replay capped at
 * `--rate` (the target: 100,000 at 5,000/s in about 20 s, with the progress line), and an uncapped
 * replay of the same records under a second replay id (the ceiling). Prints a table and writes
 * bench/results/dlq-replay.json.
 *
 * Options: --records <n> (default 100,000), --rate <n> (default 5,000), --partitions <n> (default 6),
 * --quick (20,000 records). For a CPU profile run it under
 *   scripts/with-node.sh node --cpu-prof --cpu-prof-dir=bench/results/profiles bench/dlq-replay.ts --quick
 * and read it with `node bench/lib/profile-summary.ts <file>`.
 */
import { hostname } from 'node:os';
import { loadConfig } from '../src/config/config.ts';
import { NO_FILTER } from '../src/dlq/filter.ts';
import { executeReplay, previewReplay, type DlqContext } from '../src/dlq/operations.ts';
import { createSchemaReader } from '../src/dlq/schema-names.ts';
import { buildDeadLetterHeaders } from '../src/pipeline/dead-letter/headers.ts';
import { hasFlag, numberFlag } from './lib/args.ts';
import { benchKafka, createTopics } from './lib/kafka.ts';
import { describeMachine, machineInfo } from './lib/machine.ts';
import { writeResults } from './lib/results.ts';
import { benchPrefix, deleteRunTopics, newRunId } from './lib/run-id.ts';
import { acquireBenchStack } from './lib/stack.ts';
import { formatCount, renderTable } from './lib/table.ts';

const quick = hasFlag('--quick');
const records = numberFlag('--records', quick ? 20_000 : 100_000);
const rate = numberFlag('--rate', 5_000);
const partitions = numberFlag('--partitions', 6);
const say = (line: string): void => void process.stderr.write(`${line}\n`);

interface Phase {
  readonly name: string;
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly note: string;
}

const stack = await acquireBenchStack('bench:dlq', say);
const runId = newRunId();
const prefix = benchPrefix('dlq', runId);
const source = `${prefix}identity.account.events`;
const dlq = `${source}.dlq`;
const loaded = loadConfig({
  KAFKA_BROKERS: stack.kafkaBrokers,
  SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
  RELAY_AUDIT_TOPIC: `${prefix}klaviyo-relay.audit`,
  RELAY_OUTBOUND_TOPIC: `${prefix}klaviyo.requests`,
});
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const config = loaded.config;
const kafka = benchKafka(stack.kafkaBrokers, 'bench-dlq');
const admin = kafka.admin();
await admin.connect();
let exitCode = 0;
try {
  const machine = machineInfo(stack);
  say(`dlq replay benchmark: ${formatCount(records)} dead letters, --rate ${rate}, on ${describeMachine(machine)}`);
  await createTopics(admin, [source, dlq], partitions);
  await writeDeadLetters();

  const progressLines: string[] = [];
  const ctx: DlqContext = {
    kafka,
    admin,
    config,
    schemas: createSchemaReader(config),
    now: () => Date.now(),
    actor: 'bench',
    host: hostname(),
    command: ['bench:dlq'],
    progress: {
      write: (text) => {
        progressLines.push(text);
        process.stderr.write(text);
      },
      isTTY: process.stderr.isTTY === true,
    },
  };
  const phases: Phase[] = [];
  const timed = async <T>(run: () => Promise<T>): Promise<{ value: T; seconds: number }> => {
    const started = performance.now();
    const value = await run();
    return { value, seconds: (performance.now() - started) / 1_000 };
  };

  const planned = await timed(() => previewReplay(ctx, { mode: 'replay', dlqTopic: dlq, filter: NO_FILTER }));
  phases.push(phase('plan (read and select; --dry-run)', planned.value.records.length, planned.seconds, ''));

  const capped = await timed(() => executeReplay(ctx, planned.value.plan, { ratePerSecond: rate }));
  const cappedProgress = progressLines.length;
  phases.push(
    phase(`replay at --rate ${rate}`, capped.value.run.replayed, capped.seconds, `${cappedProgress} progress lines`),
  );

  const again = await previewReplay(ctx, { mode: 'replay', dlqTopic: dlq, filter: NO_FILTER, includeHandled: true });
  const uncapped = await timed(() => executeReplay(ctx, again.plan));
  phases.push(phase('replay uncapped', uncapped.value.run.replayed, uncapped.seconds, ''));

  const expectedSeconds = records / rate;
  const onTarget =
    capped.value.run.replayed === records &&
    capped.seconds >= expectedSeconds * 0.9 &&
    capped.seconds <= expectedSeconds * 1.15 &&
    cappedProgress > 0;
  process.stdout.write(
    `${renderTable([
      ['phase', 'records', 'seconds', 'records/s', 'note'],
      ...phases.map((entry) => [
        entry.name,
        formatCount(entry.records),
        entry.seconds.toFixed(1),
        formatCount(entry.recordsPerSecond),
        entry.note,
      ]),
    ])}\n`,
  );
  process.stdout.write(
    onTarget
      ? `OK: ${formatCount(records)} replayed at --rate ${rate} in ${capped.seconds.toFixed(1)} s (ideal ${expectedSeconds.toFixed(1)} s)\n`
      : `NOT OK: expected ${formatCount(records)} replayed in about ${expectedSeconds.toFixed(1)} s with progress, got ${formatCount(capped.value.run.replayed)} in ${capped.seconds.toFixed(1)} s\n`,
  );
  if (!onTarget) exitCode = 1;
  const file = writeResults('dlq-replay', {
    benchmark: 'dlq-replay',
    at: new Date().toISOString(),
    machine,
    settings: { records, rate, partitions, quick },
    phases,
    lastProgressLine: progressLines.slice(0, cappedProgress).at(-1)?.trim(),
    onTarget,
  });
  say(`results: ${file}`);
} finally {
  await deleteRunTopics(admin, prefix).catch(() => 0);
  await admin.disconnect();
  await stack.release();
}
process.exitCode = exitCode;

function phase(name: string, count: number, seconds: number, note: string): Phase {
  return { name, records: count, seconds, recordsPerSecond: count / seconds, note };
}

/** Dead letters as the projector writes them: Avro-framed values, the pipeline's own context headers. */
async function writeDeadLetters(): Promise<void> {
  const failedAt = new Date();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = performance.now();
  try {
    for (let start = 0; start < records; start += 1_000) {
      const count = Math.min(1_000, records - start);
      await producer.send({
        topic: dlq,
        acks: -1,
        messages: Array.from({ length: count }, (_, index) => {
          const n = start + index;
          const value = Buffer.alloc(64);
          value.writeUInt32BE(1, 1);
          value.write(`body-${n}`, 5);
          return {
            key: `key-${n}`,
            value,
            headers: buildDeadLetterHeaders(
              { traceparent: `00-${n.toString(16).padStart(32, '0')}-00f067aa0ba902b7-01` },
              {
                originalTopic: source,
                originalPartition: n % partitions,
                originalOffset: String(n),
                originalTimestamp: String(failedAt.getTime()),
                consumerGroup: 'relay-projector',
                stage: 'validate',
                errorCode: 'VALIDATION_FAILED',
                errorMessage: 'PasswordResetRequested.resetLink must point at a host listed in RELAY_RESET_LINK_HOSTS',
                errorDetail: { path: 'resetLink' },
                attempts: 1,
                firstFailedAt: failedAt,
                failedAt,
                schemaId: 1,
                serviceVersion: 'bench',
              },
            ),
          };
        }),
      });
    }
  } finally {
    await producer.disconnect();
  }
  say(
    `wrote ${formatCount(records)} dead letters to ${dlq} in ${((performance.now() - started) / 1_000).toFixed(1)} s`,
  );
}
