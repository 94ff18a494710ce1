/**
 * `npm run demo`: the whole product on one screen. Starts the local stack (Kafka + schema registry, unless
 * KAFKA_BROKERS and SCHEMA_REGISTRY_URL name running ones) and the Klaviyo sandbox, publishes every example
 * event of schemas/examples plus a few poison records, runs the relay, prints what Klaviyo received and what
 * went to the dead letters, then stops what it started. Each run uses topics and groups of its own, so it
 * can be run again and again against the same broker.
 */
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { acquireStack } from './stack/stack.ts';
import { formatConfigProblems, loadConfig } from '../src/config/config.ts';
import { createRegistryClient, createEventEncoder, frame } from '../src/codec/index.ts';
import type { DomainEvent, DomainEventType } from '../src/domain/events.ts';
import { DEFAULT_TOPICS } from '../src/domain/topics.ts';
import { startRelay } from '../src/main.ts';
import { readDeadLetterHeaders } from '../src/pipeline/dead-letter/headers.ts';
import { createDomainEventPublisher } from '../src/publisher/index.ts';
import { createSandbox } from '../src/sandbox/server.ts';

const root = new URL('../', import.meta.url);
const say = (line: string): void => void process.stdout.write(`${line}\n`);
const dim = (text: string): string => (process.stdout.isTTY ? `\x1b[2m${text}\x1b[0m` : text);
const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

const API_KEY = `pk_demo${randomBytes(12).toString('hex')}`;
const run = randomBytes(3).toString('hex');
const topicOf = (type: DomainEventType): string => `demo-${run}.${DEFAULT_TOPICS[type]}`;

async function main(): Promise<number> {
  say(bold('klaviyo-relay demo') + dim(`  (run ${run})`));
  const stack = await startStack();
  const sandbox = await createSandbox({ port: 0, apiKeys: [API_KEY] });
  say(`${dim('klaviyo sandbox')} ${sandbox.url} ${dim('(validates every request against Klaviyo’s OpenAPI)')}`);
  const logFile = new URL(`.stack/logs/demo-${run}.log`, root).pathname;
  mkdirSync(new URL('.stack/logs/', root), { recursive: true });

  const examples = loadExamples();
  const sourceTopics = [...new Set(examples.map((event) => topicOf(event.type)))];
  const parsed = loadConfig({
    KAFKA_BROKERS: stack.kafkaBrokers,
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    KLAVIYO_API_KEY: API_KEY,
    KLAVIYO_BASE_URL: sandbox.url,
    RELAY_SOURCE_TOPICS: sourceTopics.join(','),
    RELAY_OUTBOUND_TOPIC: `demo-${run}.klaviyo.requests`,
    RELAY_AUDIT_TOPIC: `demo-${run}.klaviyo-relay.audit`,
    RELAY_PROJECTOR_GROUP: `demo-${run}-projector`,
    RELAY_DISPATCHER_GROUP: `demo-${run}-dispatcher`,
    RELAY_TOPIC_PARTITIONS: '3',
    RELAY_RESET_LINK_HOSTS: 'www.website.com',
    RELAY_LEAD_ROUTING_FILE: new URL('config/lead-routing.example.yaml', root).pathname,
    RELAY_HTTP_PORT: '0',
    RELAY_HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  if (!parsed.ok) throw new Error(formatConfigProblems(parsed.problems));
  const config = parsed.config;

  say(`${dim('relay')} starting projector + dispatcher ${dim(`(logs: ${logFile})`)}`);
  const relay = await startRelay(config, {
    logger: pino({ level: 'info' }, pino.destination({ dest: logFile, sync: true })),
  });
  const cleanups: (() => Promise<void>)[] = [() => relay.stop(), () => sandbox.close(), () => stack.release()];
  try {
    const topics = Object.fromEntries(examples.map((event) => [event.type, topicOf(event.type)]));
    const publisher = createDomainEventPublisher({
      brokers: config.kafka.brokers,
      registry: { url: config.registry.url },
      topics,
    });
    await publisher.connect();
    for (const event of examples) await publisher.publish(event);
    say(
      `\n${bold('published')} ${examples.length} domain events ${dim(`(${examples.map((event) => event.type).join(', ')})`)}`,
    );
    const poison = await publishPoison(config.kafka.brokers, config.registry.url, examples);
    say(
      `${bold('published')} ${poison.length} poison records ${dim(`(${poison.map((record) => record.what).join('; ')})`)}`,
    );
    await publisher.disconnect();

    const deadLetters = await waitForOutcome(sandbox, config.kafka.brokers, sourceTopics, poison.length);
    printReceived(sandbox);
    printDeadLetters(deadLetters);
    say(
      `\n${dim('metrics:')} ${relay.httpUrl}/metrics ${dim('· readiness:')} ${JSON.stringify(relay.readiness().ready)}`,
    );
    return 0;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => say(`cleanup: ${String(error)}`));
  }
}

async function startStack(): Promise<{
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  release: () => Promise<void>;
}> {
  const brokers = process.env.KAFKA_BROKERS;
  const registry = process.env.SCHEMA_REGISTRY_URL;
  if (brokers && registry) {
    say(`${dim('stack')} using KAFKA_BROKERS=${brokers} SCHEMA_REGISTRY_URL=${registry}`);
    return { kafkaBrokers: brokers, schemaRegistryUrl: registry, release: async () => undefined };
  }
  const lease = await acquireStack('demo', { say: (line) => say(dim(line)) });
  say(
    `${dim('stack')} Kafka ${lease.kafkaVersion} at ${lease.kafkaBrokers}, Apicurio Registry ${lease.registryVersion} at ${lease.schemaRegistryUrl}` +
      dim(
        lease.started.length > 0
          ? ` (started ${lease.started.join(' and ')}; stopped at the end)`
          : ' (already running)',
      ),
  );
  return lease;
}

function loadExamples(): DomainEvent[] {
  const dir = new URL('schemas/examples/', root);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as DomainEvent);
}

interface Poison {
  readonly what: string;
}

/** Records a broken producer could write: they must land in the dead letters and block nothing. */
async function publishPoison(
  brokers: readonly string[],
  registryUrl: string,
  examples: readonly DomainEvent[],
): Promise<Poison[]> {
  const reset = examples.find((event) => event.type === 'PasswordResetRequested');
  if (reset === undefined || reset.type !== 'PasswordResetRequested')
    throw new Error('no PasswordResetRequested example');
  const topic = topicOf('PasswordResetRequested');
  // A validly encoded event with a reset link on a host that is not allowed (a phishing look-alike).
  const phishing: DomainEvent = {
    type: 'PasswordResetRequested',
    data: { ...reset.data, eventId: crypto.randomUUID(), resetLink: 'https://www.website.com.evil.example/reset/1' },
  };
  const encoder = createEventEncoder({ registry: createRegistryClient({ url: registryUrl }) });
  const encoded = await encoder.encode(phishing, topic);
  const kafka = new Kafka({ clientId: 'demo-poison', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      { key: 'poison-1', value: Buffer.from('{"not":"avro"}') },
      { key: 'poison-2', value: frame(987_654, Buffer.from([2, 4, 6])) },
      { key: 'poison-3', value: encoded.value },
    ],
  });
  await producer.disconnect();
  return [
    { what: 'JSON instead of Avro' },
    { what: 'unknown schema id 987654' },
    { what: 'reset link on a look-alike host' },
  ];
}

interface DeadLetter {
  readonly topic: string;
  readonly key: string;
  readonly stage: string;
  readonly code: string;
  readonly message: string;
}

async function waitForOutcome(
  sandbox: Awaited<ReturnType<typeof createSandbox>>,
  brokers: readonly string[],
  sourceTopics: readonly string[],
  expectedDeadLetters: number,
): Promise<DeadLetter[]> {
  const deadLetters: DeadLetter[] = [];
  const kafka = new Kafka({ clientId: 'demo-dlq-reader', brokers: [...brokers], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `demo-${run}-dlq-reader` });
  await consumer.connect();
  await consumer.subscribe({ topics: sourceTopics.map((topic) => `${topic}.dlq`), fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      const info = readDeadLetterHeaders(message.headers);
      deadLetters.push({
        topic,
        key: message.key?.toString() ?? '',
        stage: info.stage ?? '?',
        code: info.errorCode ?? '?',
        message: info.errorMessage ?? '',
      });
    },
  });
  // Done when the dead letters are in and the sandbox has been quiet for two seconds.
  const deadline = Date.now() + 90_000;
  let lastCount = -1;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    const count = sandbox.admin.store.events.length;
    if (count !== lastCount) {
      lastCount = count;
      quietSince = Date.now();
    }
    if (count > 0 && deadLetters.length >= expectedDeadLetters && Date.now() - quietSince > 2_000) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await consumer.disconnect();
  return deadLetters;
}

function printReceived(sandbox: Awaited<ReturnType<typeof createSandbox>>): void {
  const { store } = sandbox.admin;
  const counters = sandbox.admin.counters();
  say(`\n${bold('Klaviyo received')} ${store.events.length} events ${dim(`(${JSON.stringify(counters)})`)}`);
  const rows = store.events.map((event) => {
    const profile = store.findBy('id', event.profileId);
    const attributes = event.attributes as { value?: number; value_currency?: string; backfill?: boolean };
    return [
      event.metric,
      profile?.email ?? profile?.external_id ?? event.profileId,
      event.uniqueId,
      attributes.value === undefined ? '' : `${attributes.value} ${attributes.value_currency ?? ''}`.trim(),
    ];
  });
  printTable(['metric', 'profile', 'unique_id', 'value'], rows);
  const updated = [...store.profiles.values()].filter((profile) => profile.updated !== profile.created);
  if (updated.length > 0)
    say(
      dim(`profiles updated in place (email changes, properties): ${updated.map((p) => p.email ?? p.id).join(', ')}`),
    );
}

function printDeadLetters(deadLetters: readonly DeadLetter[]): void {
  say(
    `\n${bold('dead letters')} ${deadLetters.length} ${dim('(original bytes kept; replay with `klaviyo-relay dlq replay`)')}`,
  );
  printTable(
    ['topic', 'key', 'stage', 'code', 'why'],
    deadLetters.map((letter) => [letter.topic, letter.key, letter.stage, letter.code, letter.message.slice(0, 70)]),
  );
}

function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  say(dim(line(header)));
  for (const row of rows) say(line(row));
}

process.exitCode = await main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
});
