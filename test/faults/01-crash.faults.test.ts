// Scenario 1, crash: kill -9 the service at random instants while mixed traffic flows and Klaviyo (the
// sandbox) is slow, restart it each time, then let a last instance drain. Nothing is lost, nothing is
// recorded twice under one (profile, metric, unique_id), nothing valid is dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { createLayoutTopics } from './support/topics.ts';
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
import { encodeAll, mixedEvents, sendRecords } from './support/traffic.ts';

const EVENTS = byProfile({ ci: 2_000, full: 20_000 });
const KILLS = byProfile({ ci: 4, full: 20 });
const SLOW_KLAVIYO_MS = 100;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('crash: kill -9 at random instants', () => {
  it(`loses and duplicates nothing across ${KILLS} kills while ${EVENTS} events flow`, async () => {
    const layout = faultLayout('crash');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
    });
    const kafka = testKafka('faults-crash');
    await createLayoutTopics(kafka, layout, 4);
    const events = mixedEvents(EVENTS, `crash${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
    sandbox.admin.faults.add({ effect: { kind: 'latency', ms: SLOW_KLAVIYO_MS } }, Date.now());

    // A third before the first start, the rest in slices while the service is being killed.
    const first = Math.floor(records.length / 3);
    await sendRecords(kafka, layout.sourceTopic, records.slice(0, first));
    const slice = Math.ceil((records.length - first) / KILLS);
    const recordedAtKill: number[] = [];
    const started = Date.now();
    for (let round = 0; round < KILLS; round += 1) {
      const relay = spawnRelay(env, 'crash');
      const from = first + round * slice;
      const sending = sendRecords(kafka, layout.sourceTopic, records.slice(from, from + slice));
      // Kill while work is in flight: once this instance has delivered something (or after 20 s of
      // rebalancing), at a random instant of the next 3 s.
      const before = sandbox.admin.store.events.length;
      await until(() => sandbox.admin.store.events.length > before, 20_000, 'delivering').catch(() => undefined);
      await sleep(Math.floor(Math.random() * 3_000));
      await relay.kill9();
      await sending;
      recordedAtKill.push(sandbox.admin.store.events.length);
    }
    const last = spawnRelay(env, 'crash');
    try {
      await until(() => hasAll(sandbox, expected), byProfile({ ci: 180_000, full: 900_000 }), 'every event delivered');
      await sleep(2_000); // anything still in flight that should not be there shows up now
    } finally {
      expect(await last.stop()).toBe(0);
    }
    const elapsedMs = Date.now() - started;
    const figures = deliveryFigures(sandbox, expected);
    const rawBound = resendBound(KILLS, peakRequestsPerSecond(sandbox));
    const deadLetters =
      (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
      (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length;
    reportFigures('crash', {
      'domain events sent': EVENTS,
      'kill -9 rounds': KILLS,
      'sandbox latency (ms)': SLOW_KLAVIYO_MS,
      'Klaviyo events expected': figures.expected,
      'Klaviyo events recorded': figures.recorded,
      lost: figures.lost,
      'duplicates recorded': figures.duplicatesRecorded,
      'duplicate requests absorbed by dedup': figures.duplicatesAbsorbed,
      'raw duplicate requests (events and PATCHes sent again)': figures.rawDuplicates,
      'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
      'unexpected events': figures.unexpected,
      'dead-lettered': deadLetters,
      'recorded at each kill': recordedAtKill.join(' '),
      'seconds, first start to drained': Math.round(elapsedMs / 1000),
    });
    expectExactDelivery(figures, rawBound);
    expect(deadLetters).toBe(0);
  });
});
