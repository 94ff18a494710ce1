// Bench (not part of the test suites; about 40 s): replays 100,000 dead letters at --rate 5000 on the real
// broker and checks it takes about 20 s with a live progress line. Run on a running stack with
//   scripts/with-node.sh node test/dlq/bench-replay-100k.ts
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import { loadConfig } from '../../src/config/config.ts';
import { NO_FILTER } from '../../src/dlq/filter.ts';
import { executeReplay, previewReplay, type DlqContext } from '../../src/dlq/operations.ts';
import { createSchemaReader } from '../../src/dlq/schema-names.ts';
import { snapshotTopic } from '../../src/dlq/topic-reader.ts';
import { avroValue, deadLetterHeaders } from './fixtures.ts';

const TOTAL = 100_000;
const RATE = 5_000;
const suffix = randomUUID().slice(0, 8);
const source = `dlqbench.source.${suffix}`;
const dlq = `${source}.dlq`;
const env = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7',
  RELAY_AUDIT_TOPIC: `dlqbench.audit.${suffix}`,
};
const loaded = loadConfig(env);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
const config = loaded.config;
const kafka = new kafkajs.Kafka({
  clientId: 'dlq-bench',
  brokers: [...config.kafka.brokers],
  logLevel: kafkajs.logLevel.ERROR,
});
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [source, dlq].map((topic) => ({ topic, numPartitions: 6 })) });
await new Promise((resolve) => setTimeout(resolve, 1_000));

const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
await producer.connect();
const headers = deadLetterHeaders({ originalTopic: source });
for (let start = 0; start < TOTAL; start += 5_000) {
  await producer.send({
    topic: dlq,
    acks: -1,
    messages: Array.from({ length: 5_000 }, (_, index) => ({
      key: `key-${start + index}`,
      value: avroValue(1, `body-${start + index}`),
      headers,
    })),
  });
}
await producer.disconnect();
process.stderr.write(`wrote ${TOTAL} dead letters to ${dlq}\n`);

const ctx: DlqContext = {
  kafka,
  admin,
  config,
  schemas: createSchemaReader(config),
  now: () => Date.now(),
  actor: 'bench',
  host: 'bench',
  command: ['bench'],
  progress: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
};
const planned = performance.now();
const preview = await previewReplay(ctx, { mode: 'replay', dlqTopic: dlq, filter: NO_FILTER });
const started = performance.now();
const outcome = await executeReplay(ctx, preview.plan, { ratePerSecond: RATE });
const seconds = (performance.now() - started) / 1_000;
const landed =
  (await snapshotTopic(admin, source))?.partitions.reduce((sum, bounds) => sum + bounds.high - bounds.low, 0) ?? 0;
process.stdout.write(
  `planning (read ${TOTAL}) ${((started - planned) / 1_000).toFixed(1)} s; replay of ${outcome.run.replayed} at --rate ${RATE}: ${seconds.toFixed(1)} s ` +
    `(${Math.round(outcome.run.replayed / seconds)}/s); ${landed} offsets on ${source} (incl. transaction markers)\n`,
);
await admin
  .deleteTopics({ topics: [source, dlq, `${env.RELAY_AUDIT_TOPIC}`, `${env.RELAY_AUDIT_TOPIC}.replays`] })
  .catch(() => undefined);
await admin.disconnect();
const ok = outcome.run.replayed === TOTAL && seconds > 18 && seconds < 26;
process.stdout.write(ok ? 'OK\n' : 'NOT OK: expected 100,000 replayed in about 20 s\n');
process.exitCode = ok ? 0 : 1;
