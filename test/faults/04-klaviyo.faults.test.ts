// Scenario 4, Klaviyo faults while traffic flows: an outage (5xx and connection resets), a 429 storm and
// slow Klaviyo (2 s per request). Each: nothing lost, nothing dead-lettered, nothing recorded twice, and
// throughput recovers: the backlog built during the fault drains soon after it ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultSpec } from '../../src/sandbox/faults.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { createLayoutTopics } from './support/topics.ts';
import { reportFigures } from './support/figures.ts';
import { sampleRecorded, sendSteadily } from './support/flow.ts';
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
import { encodeAll, mixedEvents } from './support/traffic.ts';

const FAULT_MS = byProfile({ ci: 15_000, full: 60_000 });
const BEFORE_MS = 6_000;
const AFTER_MS = 6_000;
const EVENTS_PER_SECOND = 40;
/** The dispatcher's backoff is capped at 30 s (DEFAULT_BACKOFF): the backlog must be gone well within two caps. */
const DRAIN_BOUND_MS = 75_000;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

async function throughFault(
  scenario: string,
  what: string,
  faults: readonly Omit<FaultSpec, 'durationMs'>[],
): Promise<void> {
  sandbox.admin.reset();
  const layout = faultLayout(scenario);
  const endpoints = testEndpoints();
  const env = faultRelayEnv(layout, {
    kafkaBrokers: endpoints.kafkaBrokers,
    registryUrl: endpoints.schemaRegistryUrl,
    klaviyoUrl: sandbox.url,
  });
  const kafka = testKafka(`faults-${scenario}`);
  await createLayoutTopics(kafka, layout, 4);
  const sendMs = BEFORE_MS + FAULT_MS + AFTER_MS;
  const events = mixedEvents(Math.round((EVENTS_PER_SECOND * sendMs) / 1000), `${scenario}${Date.now().toString(36)}`);
  const expected = await expectedEvents(events, relayConfig(env));
  const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);

  const relay = spawnRelay(env, scenario);
  // Traffic starts once the relay delivers, so "before" measures a running service, not its start-up.
  const warmup = records.slice(0, 20);
  await sendSteadily(kafka, layout.sourceTopic, warmup, 250);
  await until(() => sandbox.admin.store.events.length > 0, 60_000, 'first delivery');
  const sampler = sampleRecorded(sandbox);
  const started = Date.now();
  let sent = warmup.length;
  const sending = sendSteadily(kafka, layout.sourceTopic, records.slice(warmup.length), sendMs, (total) => {
    sent = warmup.length + total;
  });
  await sleep(BEFORE_MS);
  const faultFrom = Date.now();
  for (const fault of faults) sandbox.admin.faults.add({ ...fault, durationMs: FAULT_MS }, faultFrom);
  await sleep(FAULT_MS);
  const faultUntil = Date.now();
  // What had been sent when the fault ended, in Klaviyo events: the backlog the fault built up.
  const backlogTarget = Math.floor((sent * expected.length) / events.length);
  let drainedAt: number | undefined;
  try {
    await sending;
    await until(() => hasAll(sandbox, expected), DRAIN_BOUND_MS + AFTER_MS, 'backlog drained after the fault');
    drainedAt = Date.now();
    await sleep(2_000);
  } finally {
    sampler.stop();
    expect(await relay.stop()).toBe(0);
  }
  const drained = drainedAt ?? Date.now();
  const counters = sandbox.admin.counters();
  const delivery = deliveryFigures(sandbox, expected);
  const rawBound = resendBound(1, peakRequestsPerSecond(sandbox));
  const deadLetters =
    (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
    (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length;
  reportFigures(scenario, {
    fault: what,
    'fault seconds': FAULT_MS / 1000,
    'domain events sent': events.length,
    'sent per second': EVENTS_PER_SECOND,
    'Klaviyo events expected': delivery.expected,
    'Klaviyo events recorded': delivery.recorded,
    lost: delivery.lost,
    'duplicates recorded': delivery.duplicatesRecorded,
    'duplicate requests absorbed by dedup': delivery.duplicatesAbsorbed,
    'raw duplicate requests (events and PATCHes sent again)': delivery.rawDuplicates,
    'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
    'dead-lettered': deadLetters,
    'requests answered with an injected fault': counters.faultsInjected,
    'connections reset': counters.connectionResets,
    'recorded per second before': sampler.rate(started, faultFrom),
    'recorded per second during': sampler.rate(faultFrom, faultUntil),
    'peak recorded per second after (2 s span)': sampler.peakRate(faultUntil, drained),
    'seconds from fault end to its backlog drained':
      Math.round(((sampler.firstReaching(backlogTarget, faultUntil) ?? drained) - faultUntil) / 100) / 10,
  });
  expectExactDelivery(delivery, rawBound);
  expect(deadLetters).toBe(0);
  expect(counters.faultsInjected).toBeGreaterThan(0);
}

describe('Klaviyo faults while traffic flows', () => {
  it('outage: 503 and connection resets', async () => {
    await throughFault('klaviyo-outage', '503 to every request, half of them reset instead', [
      { effect: { kind: 'reset' }, share: 0.5 },
      { effect: { kind: 'status', status: 503 } },
    ]);
  });
  it('429 storm', async () => {
    await throughFault('klaviyo-429-storm', '429 (Retry-After 1 s) to 90% of requests', [
      { effect: { kind: 'status', status: 429, retryAfterSeconds: 1 }, share: 0.9 },
    ]);
  });
  it('slow Klaviyo: 2 s per request', async () => {
    await throughFault('klaviyo-slow', '2 s latency on every request', [{ effect: { kind: 'latency', ms: 2_000 } }]);
  });
});
