// kill -9 the service (a child process running `klaviyo-relay run`) at random points while the sandbox is
// slow, several times, then let a last instance finish: every event arrives, Klaviyo records no
// (profile, metric, unique_id) twice, and the outbound topic read_committed holds every request exactly
// once (the projector's transactions survived the kills: no duplicate and no half-written batch).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { consumeUntil, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { createTopicsFor } from '../pipeline/topics-helper.ts';
import { outboundTopics } from '../../src/pipeline/topics.ts';
import {
  GOOD_KEY,
  allExamples,
  expectedEvents,
  publish,
  relayConfig,
  relayEnv,
  uniqueLayout,
  until,
} from './relay-harness.ts';

const BIN = new URL('../../bin/klaviyo-relay', import.meta.url).pathname;
const KILLS = Number(process.env['RELAY_E2E_KILLS'] ?? 3);
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: [GOOD_KEY] });
});
afterAll(async () => {
  await sandbox.close();
});

function orderVariant(index: number): DomainEvent {
  const order = loadExample('OrderPlaced');
  return { ...order, data: { ...order.data, eventId: randomUUID(), orderId: `crash-${index}` } } as DomainEvent;
}

function spawnRelay(env: Record<string, string>): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(BIN, ['run'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`[crash-test] relay exited ${code}: ${stderr}\n`);
      resolve(code);
    });
  });
  return { child, exited };
}

describe('crash safety', () => {
  it('loses nothing and duplicates nothing across kill -9 at random points', async () => {
    sandbox.admin.reset();
    // Slow Klaviyo: requests are in flight when the process dies.
    sandbox.admin.faults.add({ effect: { kind: 'latency', ms: 150 } }, Date.now());
    const layout = uniqueLayout('crash');
    // A short session timeout moves a killed instance's partitions within seconds, so every kill lands mid-stream.
    const env = { ...relayEnv(layout, sandbox.url), KAFKA_SESSION_TIMEOUT_MS: '6000' };
    const kafka = testKafka('e2e-crash');
    await createTopicsFor(kafka, {
      sourceTopics: [layout.sourceTopic],
      outboundTopic: layout.outboundTopic,
      partitions: 2,
    });
    const events = [...allExamples(), ...Array.from({ length: 40 }, (_, index) => orderVariant(index))];
    const expected = await expectedEvents(events, relayConfig(env));
    const half = Math.floor(events.length / 2);
    await publish(layout.sourceTopic, events.slice(0, half));

    const killedAt: number[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      const { child, exited } = spawnRelay(env);
      if (kill === 1) await publish(layout.sourceTopic, events.slice(half));
      // Kill only once this instance is delivering (the sandbox count moves), then at a random instant.
      const before = sandbox.admin.store.events.length;
      await until(() => sandbox.admin.store.events.length > before, 60_000, `instance ${kill} delivering`);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 2_500)));
      child.kill('SIGKILL');
      await exited;
      killedAt.push(sandbox.admin.store.events.length);
    }
    if (KILLS < 2) await publish(layout.sourceTopic, events.slice(half));

    const { child, exited } = spawnRelay(env);
    try {
      await until(() => sandbox.admin.store.events.length >= expected.length, 150_000, 'every event after the crashes');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);

    const recorded = sandbox.admin.store.events.map((event) => `${event.profileId}|${event.metric}|${event.uniqueId}`);
    expect(new Set(recorded).size).toBe(recorded.length);
    expect(sandbox.admin.store.events.map((event) => `${event.metric}|${event.uniqueId}`).sort()).toEqual(
      [...expected].sort(),
    );

    const outbound = await consumeUntil(kafka.consumer({ groupId: uniqueName('crash-rc'), readUncommitted: false }), {
      // Every class topic: the projector writes each request to its class's (topics.ts classTopic).
      topics: outboundTopics(layout.outboundTopic),
      count: expected.length,
      settleMs: 1_000,
    });
    const requestIds = outbound.map((record) => (JSON.parse(String(record.value)) as { requestId: string }).requestId);
    expect(new Set(requestIds).size).toBe(requestIds.length);
    process.stderr.write(
      `[crash-test] ${KILLS} kills; events at the sandbox at each kill: ${killedAt.join(', ')}; ` +
        `redeliveries Klaviyo deduplicated: ${sandbox.admin.store.duplicates.length}; outbound requests: ${requestIds.length}\n`,
    );
  });
});
