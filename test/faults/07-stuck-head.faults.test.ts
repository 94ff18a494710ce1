// Scenario 7, a stuck head and crashes: one request Klaviyo answers 500 for ever must not pin its
// partition (it moves to the retry topic, the committed offset moves past it, everything else is
// delivered; once the fault clears it is delivered, nothing dead-lettered); and kill -9 at 100 events/s,
// with and without such a stuck request, re-sends no more raw requests than RELIABILITY.md's bound.
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.ts';
import { classTopic } from '../../src/pipeline/topics.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { reportFigures } from './support/figures.ts';
import { sendSteadily } from './support/flow.ts';
import {
  deadLetteredCount,
  deliveryFigures,
  expectExactDelivery,
  faultSandbox,
  hasAll,
  peakRequestsPerSecond,
  readTopic,
  resendBound,
} from './support/outcome.ts';
import { byProfile } from './support/profile.ts';
import { faultLayout, faultRelayEnv, sleep, spawnRelay, until, type RelayLayout } from './support/relay-process.ts';
import { createLayoutTopics } from './support/topics.ts';
import { encodeAll, mixedEvents, PROFILE_GROUP, sendRecords } from './support/traffic.ts';

const RATE = 100;
const SEND_MS = byProfile({ ci: 20_000, full: 60_000 });
const KILLS = byProfile({ ci: 1, full: 3 });
/** The retry backoff's cap for these scenarios (default 60 s): the cleared request goes out within seconds. */
const RETRY_CAP_MS = '5000';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

/** The Updated Email request of the `group`-th customer: the last request of its profile. */
async function lastRequestOf(events: readonly DomainEvent[], group: number, env: Record<string, string>) {
  const [key] = await expectedEvents([events[group * PROFILE_GROUP + PROFILE_GROUP - 1]!], relayConfig(env));
  if (!key?.startsWith('Updated Email|')) throw new Error(`expected an Updated Email, got ${String(key)}`);
  return { key, uniqueId: key.slice('Updated Email|'.length) };
}

function stickForEver(uniqueId: string): void {
  sandbox.admin.faults.add(
    { effect: { kind: 'status', status: 500 }, family: 'events', bodyContains: `"unique_id":"${uniqueId}"` },
    Date.now(),
  );
}

/** The stuck request is an Updated Email: a high-class request, in the outbound topic of its class. */
function stuckTopic(layout: RelayLayout): string {
  return classTopic(layout.outboundTopic, 'high');
}

/** The dispatcher group's committed offset on partition 0 of the stuck request's outbound topic (-1 when none). */
async function committedOutbound(kafka: Kafka, layout: RelayLayout): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [offsets] = await admin.fetchOffsets({ groupId: layout.dispatcherGroup, topics: [stuckTopic(layout)] });
    return Number(offsets!.partitions.find((entry) => entry.partition === 0)?.offset ?? -1);
  } finally {
    await admin.disconnect();
  }
}

describe('a stuck head and crashes', () => {
  it('one request answered 500 for ever leaves the head: the rest delivered and committed within 60 s', async () => {
    sandbox.admin.reset();
    const layout = faultLayout('stuck-head');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
      partitions: 1,
      extra: { RELAY_RETRY_BACKOFF_CAP_MS: RETRY_CAP_MS },
    });
    const kafka = testKafka('faults-stuck-head');
    await createLayoutTopics(kafka, layout, 1);
    const events = mixedEvents(150, `stuck${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const stuck = await lastRequestOf(events, 10, env);
    const others = expected.filter((key) => key !== stuck.key);
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
    stickForEver(stuck.uniqueId);

    const relay = spawnRelay(env, 'stuck-head');
    let pastMs: number | undefined;
    let clearedToDeliveredMs: number | undefined;
    let triedWhileStuck: number | undefined;
    let stuckOffset: number | undefined;
    try {
      await sendRecords(kafka, layout.sourceTopic, records);
      const sent = Date.now();
      await until(() => hasAll(sandbox, others), 60_000, 'everything but the stuck request delivered');
      // The outbound topic is written in transactions: its end holds commit markers no consumer sees, so
      // "committed past everything" is one past its last request.
      const outbound = await readTopic(kafka, stuckTopic(layout), 1_000);
      const last = Math.max(...outbound.map((record) => Number(record.offset)));
      stuckOffset = Number(outbound.find((record) => record.value?.includes(stuck.uniqueId))?.offset ?? NaN);
      await until(
        async () => (await committedOutbound(kafka, layout)) > last,
        Math.max(1_000, 60_000 - (Date.now() - sent)),
        'the outbound partition committed past its last request',
      );
      pastMs = Date.now() - sent;
      expect(sandbox.admin.store.events.some((event) => event.uniqueId === stuck.uniqueId)).toBe(false);
      triedWhileStuck = sandbox.admin.counters().faultsInjected;
      expect(triedWhileStuck).toBeGreaterThan(0);

      sandbox.admin.faults.clear();
      const cleared = Date.now();
      await until(() => hasAll(sandbox, expected), 60_000, 'the stuck request delivered once the fault cleared');
      clearedToDeliveredMs = Date.now() - cleared;
      await sleep(2_000);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    const figures = deliveryFigures(sandbox, expected);
    const deadLetters = await deadLetteredCount(kafka, layout);
    reportFigures('stuck-head', {
      'domain events on one partition': events.length,
      'Klaviyo events expected': figures.expected,
      'Klaviyo events recorded': figures.recorded,
      lost: figures.lost,
      'duplicates recorded': figures.duplicatesRecorded,
      'raw duplicate requests': figures.rawDuplicates,
      'attempts of the stuck request answered 500': triedWhileStuck ?? NaN,
      'outbound offset of the stuck request': stuckOffset ?? NaN,
      'seconds from sent to all others delivered and committed past the stuck one':
        Math.round((pastMs ?? NaN) / 100) / 10,
      'seconds from fault cleared to the stuck one delivered': Math.round((clearedToDeliveredMs ?? NaN) / 100) / 10,
      'dead-lettered': deadLetters,
    });
    expectExactDelivery(figures, 0);
    expect(pastMs).toBeLessThan(60_000);
    expect(Number.isFinite(stuckOffset ?? NaN)).toBe(true);
    expect(deadLetters).toBe(0);
  });

  for (const withStuck of [false, true]) {
    const name = withStuck ? 'kill-stuck' : 'kill-steady';
    it(`kill -9 at ${RATE} events/s${withStuck ? ' during a stuck head' : ''}: raw re-sends within the bound`, async () => {
      sandbox.admin.reset();
      const layout = faultLayout(name);
      const endpoints = testEndpoints();
      const env = faultRelayEnv(layout, {
        kafkaBrokers: endpoints.kafkaBrokers,
        registryUrl: endpoints.schemaRegistryUrl,
        klaviyoUrl: sandbox.url,
        extra: { RELAY_RETRY_BACKOFF_CAP_MS: RETRY_CAP_MS },
      });
      const kafka = testKafka(`faults-${name}`);
      await createLayoutTopics(kafka, layout, 4);
      const events = mixedEvents(Math.round((RATE * SEND_MS) / 1000), `${name}${Date.now().toString(36)}`);
      const expected = await expectedEvents(events, relayConfig(env));
      const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
      sandbox.admin.faults.add({ effect: { kind: 'latency', ms: 50 } }, Date.now());
      const stuck = withStuck ? await lastRequestOf(events, 5, env) : undefined;
      if (stuck) stickForEver(stuck.uniqueId);

      let relay = spawnRelay(env, name);
      const sending = sendSteadily(kafka, layout.sourceTopic, records, SEND_MS);
      const recordedAtKill: number[] = [];
      try {
        for (let kill = 0; kill < KILLS; kill += 1) {
          // Kill in the middle of a stretch of steady traffic, at a random instant.
          await sleep(SEND_MS / (KILLS + 1) - 1_000 + Math.floor(Math.random() * 2_000));
          await relay.kill9();
          recordedAtKill.push(sandbox.admin.store.requests.length);
          relay = spawnRelay(env, name);
        }
        await sending;
        if (stuck) {
          await sleep(5_000);
          sandbox.admin.faults.clear();
          sandbox.admin.faults.add({ effect: { kind: 'latency', ms: 50 } }, Date.now());
        }
        await until(() => hasAll(sandbox, expected), byProfile({ ci: 120_000, full: 300_000 }), 'all delivered');
        await sleep(2_000);
      } finally {
        expect(await relay.stop()).toBe(0);
      }
      const figures = deliveryFigures(sandbox, expected);
      const peak = peakRequestsPerSecond(sandbox);
      const bound = resendBound(KILLS, peak);
      const deadLetters = await deadLetteredCount(kafka, layout);
      reportFigures(name, {
        'domain events sent': events.length,
        'sent per second': RATE,
        'kill -9': KILLS,
        'a request answered 500 until the traffic ended': withStuck,
        'Klaviyo events expected': figures.expected,
        'Klaviyo events recorded': figures.recorded,
        lost: figures.lost,
        'duplicates recorded': figures.duplicatesRecorded,
        'raw duplicate requests (events and PATCHes sent again)': figures.rawDuplicates,
        'peak requests per second at Klaviyo': peak,
        'raw re-send bound (kills × (1 s at peak + 150 in flight))': bound,
        'raw requests at each kill': recordedAtKill.join(' '),
        'dead-lettered': deadLetters,
      });
      expectExactDelivery(figures, bound);
      expect(deadLetters).toBe(0);
    });
  }
});
