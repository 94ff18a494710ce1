/**
 * Regenerates docs/console-overview.png, the README's picture of the dead-letter console: writes a day of
 * made-up dead letters (validation and projection failures through the real codec, undecodable bytes,
 * Klaviyo refusals) to topics of their own on a running broker and registry (KAFKA_BROKERS,
 * SCHEMA_REGISTRY_URL), starts the console on them and has Debian's chromium take the overview.
 * Its topics (`demo-<run>.*`) stay on the broker, like the demo's.
 *   KAFKA_BROKERS=… SCHEMA_REGISTRY_URL=… npm run console:screenshot
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Kafka, logLevel, type Message } from 'kafkajs';
import puppeteer from 'puppeteer-core';
import { createEventEncoder, createRegistryClient } from '../src/codec/index.ts';
import { formatConfigProblems, loadConfig } from '../src/config/config.ts';
import type { DomainEvent, DomainEventType } from '../src/domain/events.ts';
import { loadExample } from '../src/domain/examples.ts';
import { createSchemaReader } from '../src/dlq/schema-names.ts';
import type { RelayErrorCode, Stage } from '../src/errors.ts';
import { buildDeadLetterHeaders } from '../src/pipeline/dead-letter/headers.ts';
import { createReplayJobs } from '../src/console/replay-state.ts';
import { startConsoleServer } from '../src/console/server.ts';

const brokers = process.env['KAFKA_BROKERS'];
const registryUrl = process.env['SCHEMA_REGISTRY_URL'];
if (brokers === undefined || registryUrl === undefined) throw new Error('set KAFKA_BROKERS and SCHEMA_REGISTRY_URL');
const run = randomBytes(3).toString('hex');
const orders = `demo-${run}.commerce.order.events`;
const accounts = `demo-${run}.identity.account.events`;
const requests = `demo-${run}.klaviyo.requests`;
const env = {
  KAFKA_BROKERS: brokers,
  SCHEMA_REGISTRY_URL: registryUrl,
  RELAY_SOURCE_TOPICS: `${orders},${accounts}`,
  RELAY_OUTBOUND_TOPIC: requests,
  RELAY_AUDIT_TOPIC: `demo-${run}.audit`,
};
const loaded = loadConfig(env);
if (!loaded.ok) throw new Error(formatConfigProblems(loaded.problems));
const config = loaded.config;
const kafka = new Kafka({ clientId: 'console-screenshot', brokers: brokers.split(','), logLevel: logLevel.ERROR });
const encoder = createEventEncoder({ registry: createRegistryClient({ url: registryUrl }) });
const HOUR = 3_600_000;
const now = Date.now();

interface Failure {
  readonly stage: Stage;
  readonly code: RelayErrorCode;
  readonly message: string;
}

async function deadLetter(
  topic: string,
  value: Buffer,
  key: string,
  failure: Failure,
  hoursAgo: number,
): Promise<Message> {
  const failedAt = new Date(now - hoursAgo * HOUR - Math.floor(Math.random() * HOUR));
  return {
    key,
    value,
    headers: buildDeadLetterHeaders(
      {},
      {
        originalTopic: topic,
        originalPartition: 0,
        originalOffset: String(Math.floor(Math.random() * 10_000)),
        originalTimestamp: String(failedAt.getTime()),
        consumerGroup: 'klaviyo-relay-projector',
        stage: failure.stage,
        errorCode: failure.code,
        errorMessage: failure.message,
        ...(failure.stage === 'deliver'
          ? { errorDetail: { status: 422, errors: [{ code: 'invalid', detail: 'profile email is invalid' }] } }
          : {}),
        attempts: 1,
        firstFailedAt: failedAt,
        failedAt,
        serviceVersion: 'demo',
      },
    ),
  };
}

async function example(type: DomainEventType, topic: string): Promise<Buffer> {
  const event = loadExample(type) as DomainEvent;
  const withId = { ...event, data: { ...event.data, eventId: randomUUID() } } as DomainEvent;
  return (await encoder.encode(withId, topic)).value;
}

const admin = kafka.admin();
await admin.connect();
const topics = [orders, accounts, requests].flatMap((topic) => [`${topic}.dlq`, `${topic}.dlq.parked`]);
await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
const producer = kafka.producer({ idempotent: true });
await producer.connect();
const burst = [0, 0, 1, 1, 1, 2, 5, 9, 14, 9, 4, 2, 1, 0, 0, 1, 0, 2, 3, 1, 0, 0, 1, 0];
const byTopic = new Map<string, Message[]>();
const add = (topic: string, message: Message): void => {
  byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
};
for (const [hoursAgo, count] of burst.entries()) {
  for (let index = 0; index < count; index += 1) {
    add(
      `${accounts}.dlq`,
      await deadLetter(
        accounts,
        await example('PasswordResetRequested', accounts),
        randomUUID(),
        {
          stage: 'validate',
          code: 'VALIDATION_FAILED',
          message: 'PasswordResetRequested.resetLink must point at a host listed in RELAY_RESET_LINK_HOSTS',
        },
        hoursAgo,
      ),
    );
  }
  if (hoursAgo % 5 === 2)
    add(
      `${orders}.dlq`,
      await deadLetter(
        orders,
        await example('OrderPlaced', orders),
        randomUUID(),
        { stage: 'project', code: 'PROJECTION_FAILED', message: 'OrderPlaced: no profile identifier' },
        hoursAgo,
      ),
    );
  if (hoursAgo % 7 === 3)
    add(
      `${orders}.dlq`,
      await deadLetter(
        orders,
        Buffer.from('{"legacy":true}'),
        'legacy',
        {
          stage: 'decode',
          code: 'NOT_WIRE_FORMAT',
          message: 'record starts with byte 123, not the Confluent magic byte 0',
        },
        hoursAgo,
      ),
    );
  if (hoursAgo % 6 === 1)
    add(
      `${requests}.dlq`,
      await deadLetter(
        requests,
        Buffer.from(
          JSON.stringify({ v: 1, kind: 'create-event', metric: 'Placed Order', source: { eventType: 'OrderPlaced' } }),
        ),
        randomUUID(),
        { stage: 'deliver', code: 'KLAVIYO_REJECTED', message: 'Klaviyo answered 422' },
        hoursAgo,
      ),
    );
}
for (const [topic, messages] of byTopic) await producer.send({ topic, acks: -1, messages });
await producer.disconnect();

const server = await startConsoleServer(
  {
    context: (command) => ({
      kafka,
      admin,
      config,
      schemas: createSchemaReader(config),
      now: () => Date.now(),
      actor: 'console:demo',
      host: hostname(),
      command,
      progress: { write: () => undefined, isTTY: false },
    }),
    token: randomBytes(24).toString('base64url'),
    jobs: createReplayJobs(),
    metricsUrl: 'http://127.0.0.1:9/metrics',
  },
  { host: '127.0.0.1', port: 0 },
);
const browser = await puppeteer.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  defaultViewport: { width: 1280, height: 900 },
});
try {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  const path = new URL('../docs/console-overview.png', import.meta.url).pathname;
  await page.screenshot({ path, fullPage: true });
  process.stdout.write(`wrote ${path}\n`);
} finally {
  await browser.close();
  await server.close();
  await admin.disconnect();
}
