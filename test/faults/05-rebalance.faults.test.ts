// Scenario 5, rebalance: two relay instances share the work; one is killed (kill -9) and restarted again
// and again while traffic flows, so partitions move back and forth between them. Nothing is lost and
// nothing is recorded twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
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
import { assignmentsLogged, faultLayout, faultRelayEnv, sleep, spawnRelay, until } from './support/relay-process.ts';
import { encodeAll, mixedEvents, sendRecords } from './support/traffic.ts';

const ROUNDS = byProfile({ ci: 3, full: 10 });
const EVENTS = byProfile({ ci: 1_500, full: 8_000 });

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('rebalance: two instances, one killed and restarted repeatedly', () => {
  it(`loses and duplicates nothing across ${ROUNDS} kill-and-restart rounds`, async () => {
    const layout = faultLayout('rebalance');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
      partitions: 6,
    });
    const kafka = testKafka('faults-rebalance');
    await createLayoutTopics(kafka, layout, 6);
    const events = mixedEvents(EVENTS, `reb${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
    sandbox.admin.faults.add({ effect: { kind: 'latency', ms: 100 } }, Date.now());

    const steady = spawnRelay(env, 'rebalance-steady');
    const slice = Math.ceil(records.length / (ROUNDS + 1));
    await sendRecords(kafka, layout.sourceTopic, records.slice(0, slice));
    const started = Date.now();
    const recordedAtKill: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round += 1) {
        const bouncing = spawnRelay(env, 'rebalance-bouncing');
        await sendRecords(kafka, layout.sourceTopic, records.slice((round + 1) * slice, (round + 2) * slice));
        // Long enough for the group to give the newcomer partitions (session timeout 6 s), then kill it.
        await sleep(7_000 + Math.floor(Math.random() * 4_000));
        await bouncing.kill9();
        recordedAtKill.push(sandbox.admin.store.events.length);
      }
      await until(() => hasAll(sandbox, expected), byProfile({ ci: 180_000, full: 600_000 }), 'every event delivered');
      await sleep(2_000);
    } finally {
      expect(await steady.stop()).toBe(0);
    }
    const elapsedMs = Date.now() - started;
    const delivery = deliveryFigures(sandbox, expected);
    const rawBound = resendBound(2 * ROUNDS, peakRequestsPerSecond(sandbox));
    const deadLetters =
      (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
      (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length;
    reportFigures('rebalance', {
      'domain events sent': EVENTS,
      'kill -9 and restart rounds of the second instance': ROUNDS,
      'Klaviyo events expected': delivery.expected,
      'Klaviyo events recorded': delivery.recorded,
      lost: delivery.lost,
      'duplicates recorded': delivery.duplicatesRecorded,
      'duplicate requests absorbed by dedup': delivery.duplicatesAbsorbed,
      'raw duplicate requests (events and PATCHes sent again)': delivery.rawDuplicates,
      'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
      'dead-lettered': deadLetters,
      'recorded at each kill': recordedAtKill.join(' '),
      'assignments of the second instance with outbound partitions': assignmentsLogged(
        'rebalance-bouncing',
        layout.dispatcherGroup,
      ).filter((assignment) => (assignment[layout.outboundTopic] ?? []).length > 0).length,
      'seconds, first round to drained': Math.round(elapsedMs / 1000),
    });
    expectExactDelivery(delivery, rawBound);
    // The second instance really took a share of the outbound partitions, round after round.
    const taken = assignmentsLogged('rebalance-bouncing', layout.dispatcherGroup).filter(
      (assignment) => (assignment[layout.outboundTopic] ?? []).length > 0,
    );
    expect(taken.length).toBeGreaterThanOrEqual(ROUNDS);
    expect(deadLetters).toBe(0);
  });
});
