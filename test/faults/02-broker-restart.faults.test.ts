// Scenario 2, broker restart: the Kafka broker is stopped mid-stream and started again (a private broker
// on other ports, so the shared one is never touched). The relay keeps running, recovers by itself, and
// delivers everything once: nothing lost, nothing recorded twice, nothing dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints } from '../support/kafka-test-kit.ts';
import { reportFigures } from './support/figures.ts';
import {
  deliveryFigures,
  expectExactDelivery,
  peakRequestsPerSecond,
  resendBound,
  faultSandbox,
  hasAll,
  readTopic,
} from './support/outcome.ts';
import { byProfile } from './support/profile.ts';
import { faultLayout, faultRelayEnv, sleep, spawnRelay, until } from './support/relay-process.ts';
import { startSecondKafka, type SecondKafka } from './support/second-kafka.ts';
import { createLayoutTopics } from './support/topics.ts';
import { encodeAll, mixedEvents, sendRecords } from './support/traffic.ts';

const { Kafka, logLevel } = kafkajs;
const DOWN_MS = byProfile({ ci: 10_000, full: 30_000 });
const EVENTS = byProfile({ ci: 1_600, full: 8_000 });

let sandbox: Sandbox;
let broker: SecondKafka | undefined;
beforeAll(async () => {
  sandbox = await faultSandbox();
  broker = await startSecondKafka();
});
afterAll(async () => {
  await broker?.close();
  await sandbox.close();
});

describe('broker restart mid-stream', () => {
  it(`recovers by itself from a ${DOWN_MS / 1000} s broker stop and loses nothing`, async () => {
    const running = broker;
    if (running === undefined) throw new Error('the private broker did not start');
    const layout = faultLayout('broker');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: running.brokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
    });
    const kafka = new Kafka({
      clientId: 'faults-broker',
      brokers: [running.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 200 },
    });
    await createLayoutTopics(kafka, layout, 4);
    const events = mixedEvents(EVENTS, `brk${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
    sandbox.admin.faults.add({ effect: { kind: 'latency', ms: 100 } }, Date.now());
    const half = Math.floor(records.length / 2);
    await sendRecords(kafka, layout.sourceTopic, records.slice(0, half));

    const relay = spawnRelay(env, 'broker-restart');
    let relayExited = false;
    void relay.exited.then(() => (relayExited = true));
    let restartedAt = 0;
    let recordedAtStop: number | undefined;
    let recordedWhileDown: number | undefined;
    let drainedMs: number | undefined;
    try {
      // Stop the broker mid-stream: after the first deliveries, with most of the first half still pending.
      await until(() => sandbox.admin.store.events.length >= 50, 60_000, 'first deliveries');
      recordedAtStop = sandbox.admin.store.events.length;
      await running.stop();
      await sleep(DOWN_MS);
      recordedWhileDown = sandbox.admin.store.events.length - (recordedAtStop ?? 0);
      await running.restart();
      restartedAt = Date.now();
      await sendRecords(kafka, layout.sourceTopic, records.slice(half));
      drainedMs = await until(
        () => hasAll(sandbox, expected),
        byProfile({ ci: 180_000, full: 600_000 }),
        'all delivered',
      );
      await sleep(2_000);
    } finally {
      expect(relayExited).toBe(false); // recovered without a restart of its own
      expect(await relay.stop()).toBe(0);
    }
    const firstAfter = sandbox.admin.store.events.reduce(
      (first, event) => (event.acceptedAt >= restartedAt ? Math.min(first, event.acceptedAt) : first),
      Number.POSITIVE_INFINITY,
    );
    const delivery = deliveryFigures(sandbox, expected);
    const rawBound = resendBound(1, peakRequestsPerSecond(sandbox));
    const deadLetters =
      (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
      (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length;
    reportFigures('broker-restart', {
      'broker down seconds': DOWN_MS / 1000,
      'domain events sent (half before, half after the restart)': EVENTS,
      'recorded when the broker stopped': recordedAtStop ?? Number.NaN,
      'recorded while it was down (requests already fetched)': recordedWhileDown ?? Number.NaN,
      'seconds from broker back to first delivery': Math.round((firstAfter - restartedAt) / 100) / 10,
      'seconds from broker back to all delivered': Math.round((drainedMs ?? Number.NaN) / 100) / 10,
      'relay restarts': 0,
      'Klaviyo events expected': delivery.expected,
      'Klaviyo events recorded': delivery.recorded,
      lost: delivery.lost,
      'duplicates recorded': delivery.duplicatesRecorded,
      'duplicate requests absorbed by dedup': delivery.duplicatesAbsorbed,
      'raw duplicate requests (events and PATCHes sent again)': delivery.rawDuplicates,
      'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
      'dead-lettered': deadLetters,
    });
    expectExactDelivery(delivery, rawBound);
    expect(deadLetters).toBe(0);
  });
});
