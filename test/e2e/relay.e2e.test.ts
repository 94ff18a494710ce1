// The whole relay (startRelay) with the real broker, the real registry and the Klaviyo sandbox: every
// example arrives exactly as projected, once; poison records land in the source topic's .dlq with their
// context and the good records after them still arrive; a 503 burst delays but loses and dead-letters
// nothing; a bad key halts delivery and fails /readyz, and a restart with the right key delivers all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import { startRelay, type RunningRelay } from '../../src/main.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { consumeUntil, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import {
  GOOD_KEY,
  allExamples,
  expectedEvents,
  publish,
  quietLogger,
  relayConfig,
  relayEnv,
  uniqueLayout,
  until,
} from './relay-harness.ts';

const kafka = testKafka('e2e');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: [GOOD_KEY] });
});
afterAll(async () => {
  await sandbox.close();
});

/** What the sandbox recorded, as `metric|unique_id`. */
function recorded(): string[] {
  return sandbox.admin.store.events.map((event) => `${event.metric}|${event.uniqueId}`);
}

async function topicSize(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, entry) => sum + Number(entry.high) - Number(entry.low), 0);
  } finally {
    await admin.disconnect();
  }
}

async function readyz(relay: RunningRelay): Promise<number> {
  return (await fetch(`${relay.httpUrl}/readyz`)).status;
}

describe('klaviyo-relay end to end', () => {
  it('delivers every example once, as projected, and dead-letters poison between them with its context', async () => {
    sandbox.admin.reset();
    const layout = uniqueLayout('examples');
    const env = relayEnv(layout, sandbox.url);
    const relay = await startRelay(relayConfig(env), { logger: quietLogger });
    try {
      const examples = allExamples();
      const notAvro = Buffer.from('{"this":"is JSON, not Confluent-framed Avro"}');
      const unknownSchema = Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('junk')]);
      const half = Math.floor(examples.length / 2);
      await publish(layout.sourceTopic, [...examples.slice(0, half), notAvro, unknownSchema, ...examples.slice(half)]);
      const expected = await expectedEvents(examples, relayConfig(env));
      expect(expected.length).toBeGreaterThanOrEqual(examples.length);
      await until(() => recorded().length >= expected.length, 90_000, 'all example events at the sandbox');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(recorded().sort()).toEqual([...expected].sort());
      expect(sandbox.admin.store.duplicates).toEqual([]);
      expect(await readyz(relay)).toBe(200);
      // EmailChanged's Update Profile (PATCH) reached Klaviyo before Updated Email: the profile has the new
      // address, and no profile keeps the old one.
      const emailChanged = examples.find((event) => event.type === 'EmailChanged');
      if (emailChanged?.type !== 'EmailChanged') throw new Error('no EmailChanged example');
      expect(sandbox.admin.store.findBy('external_id', emailChanged.data.customer.customerId)?.email).toBe(
        emailChanged.data.newEmail,
      );
      expect(sandbox.admin.store.findBy('email', emailChanged.data.oldEmail)).toBeUndefined();

      const letters: ReturnType<typeof readDeadLetterHeaders>[] = [];
      await consumeUntil(kafka.consumer({ groupId: uniqueName('e2e-dlq') }), {
        topics: [`${layout.sourceTopic}.dlq`],
        count: 2,
        settleMs: 500,
        onMessage: async ({ message }) => {
          letters.push(readDeadLetterHeaders(message.headers));
          expect(message.headers?.['origin']?.toString()).toBe('e2e-poison');
        },
      });
      expect(letters.map((letter) => [letter.stage, letter.errorCode])).toEqual([
        ['decode', 'NOT_WIRE_FORMAT'],
        ['decode', 'UNKNOWN_SCHEMA_ID'],
      ]);
      expect(letters.map((letter) => letter.originalOffset)).toEqual([String(half), String(half + 1)]);
      expect(await topicSize(`${layout.outboundTopic}.dlq`)).toBe(0);
      const metricsText = await (await fetch(`${relay.httpUrl}/metrics`)).text();
      expect(metricsText).toContain(
        `relay_dead_letters_total{topic="${layout.sourceTopic}.dlq",stage="decode",code="NOT_WIRE_FORMAT"} 1`,
      );
      expect(metricsText).toMatch(/relay_klaviyo_requests_total\{endpoint="events",status="202"\} \d+/);
    } finally {
      await relay.stop();
    }
  });

  // A 30 s outage: long enough for the backoff to reach its cap and the circuit breaker to open and close
  // again. RELAY_E2E_BURST_MS shortens it for a quick local run.
  it('rides out a 503 burst: everything arrives, nothing is dead-lettered', async () => {
    sandbox.admin.reset();
    const burstMs = Number(process.env['RELAY_E2E_BURST_MS'] ?? 30_000);
    const layout = uniqueLayout('burst');
    const env = relayEnv(layout, sandbox.url);
    const relay = await startRelay(relayConfig(env), { logger: quietLogger });
    try {
      const examples = allExamples();
      const expected = await expectedEvents(examples, relayConfig(env));
      const burstStart = Date.now();
      sandbox.admin.faults.add({ effect: { kind: 'status', status: 503 }, durationMs: burstMs }, burstStart);
      await publish(layout.sourceTopic, examples);
      await until(() => recorded().length >= expected.length, burstMs + 90_000, 'all events after the burst');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(Date.now() - burstStart).toBeGreaterThanOrEqual(burstMs);
      expect(recorded().sort()).toEqual([...expected].sort());
      expect(sandbox.admin.store.duplicates).toEqual([]);
      expect(await topicSize(`${layout.outboundTopic}.dlq`)).toBe(0);
      const metricsText = await (await fetch(`${relay.httpUrl}/metrics`)).text();
      expect(metricsText).toMatch(/relay_retries_total\{role="dispatcher",code="KLAVIYO_UNAVAILABLE"\} [1-9]/);
    } finally {
      await relay.stop();
    }
  });

  it('halts on a refused key and fails /readyz; a restart with the right key delivers everything', async () => {
    sandbox.admin.reset();
    const layout = uniqueLayout('halt');
    const badEnv = relayEnv(layout, sandbox.url, 'pk_revokedkey000000000');
    const halted = await startRelay(relayConfig(badEnv), { logger: quietLogger });
    const examples = allExamples();
    try {
      await publish(layout.sourceTopic, examples);
      await until(async () => (await readyz(halted)) === 503, 60_000, '/readyz reporting the halt');
      const body = (await (await fetch(`${halted.httpUrl}/readyz`)).json()) as { problems: { name: string }[] };
      expect(body.problems.map((problem) => problem.name)).toContain('dispatcher.halted');
      expect(recorded()).toEqual([]);
      expect(await topicSize(`${layout.outboundTopic}.dlq`)).toBe(0);
      expect(await (await fetch(`${halted.httpUrl}/healthz`)).status).toBe(200);
    } finally {
      await halted.stop();
    }
    const fixed = await startRelay(relayConfig(relayEnv(layout, sandbox.url)), { logger: quietLogger });
    try {
      const expected = await expectedEvents(examples, relayConfig(badEnv));
      await until(() => recorded().length >= expected.length, 90_000, 'all events after the restart');
      expect(recorded().sort()).toEqual([...expected].sort());
      await until(async () => (await readyz(fixed)) === 200, 30_000, '/readyz ready again');
      expect(await topicSize(`${layout.outboundTopic}.dlq`)).toBe(0);
    } finally {
      await fixed.stop();
    }
  });
});
