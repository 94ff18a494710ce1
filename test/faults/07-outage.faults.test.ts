// Scenario 7a, a long Klaviyo outage: every request answered 503 for OUTAGE_MS (10 minutes in the full
// profile, 30 s in CI) while traffic flows. The circuit breaker pauses delivery instead of cycling every
// request through retries: nothing is dead-lettered, nothing is handed to the retry topic for it, the
// requests Klaviyo sees during the outage are no more than the breaker's probes, and everything is
// delivered after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_HEADER } from '../../src/pipeline/dispatcher/retry-record.ts';
import { outboundTopics, retryTopic } from '../../src/pipeline/topics.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { reportFigures } from './support/figures.ts';
import { sendSteadily } from './support/flow.ts';
import {
  DISPATCH_LIMITS,
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
import { faultLayout, faultRelayEnv, sleep, spawnRelay, until } from './support/relay-process.ts';
import { createLayoutTopics } from './support/topics.ts';
import { encodeAll, mixedEvents } from './support/traffic.ts';

const OUTAGE_MS = byProfile({ ci: 30_000, full: 600_000 });
const BEFORE_MS = 5_000;
const RATE = 20;

/**
 * What the breaker lets through in `outageMs`: the waves already in flight when it began (each request
 * tried up to 3 times by the delivery engine), then per endpoint family one probe at a time (3 tries),
 * each opening at least half its backoff ceiling (200 ms doubling, capped at 15 s): the first five
 * openings take ≥ 12.4 s, every later one ≥ 7.5 s.
 */
function probeBound(outageMs: number): number {
  const tries = 3;
  const families = 2; // events, and profiles (the PATCH path)
  const probesPerFamily = 6 + Math.ceil(outageMs / 7_500);
  return tries * (DISPATCH_LIMITS.inFlight + families * probesPerFamily);
}

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('a long Klaviyo outage', () => {
  it(`${OUTAGE_MS / 1000} s of 503: probes only, nothing dead-lettered, all delivered after`, async () => {
    const layout = faultLayout('outage');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
      // The backlog of a long outage is old enough for the bulk lane, whose budget (Klaviyo's: 150 jobs a
      // minute) would set the drain time; like the other families', it is lifted here: this is about faults.
      extra: { KLAVIYO_RATE_BULK_BURST: '1000', KLAVIYO_RATE_BULK_STEADY: '60000' },
    });
    const kafka = testKafka('faults-outage');
    await createLayoutTopics(kafka, layout, 4);
    const sendMs = BEFORE_MS + OUTAGE_MS;
    const events = mixedEvents(Math.round((RATE * sendMs) / 1000), `outage${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);

    const relay = spawnRelay(env, 'outage');
    let afterMs: number | undefined;
    let duringOutage: number | undefined;
    try {
      const sending = sendSteadily(kafka, layout.sourceTopic, records, sendMs);
      await sleep(BEFORE_MS);
      const from = Date.now();
      sandbox.admin.faults.add({ effect: { kind: 'status', status: 503 }, durationMs: OUTAGE_MS }, from);
      await sleep(OUTAGE_MS);
      duringOutage = sandbox.admin.counters().faultsInjected;
      const ended = Date.now();
      await sending;
      await until(() => hasAll(sandbox, expected), 120_000, 'everything delivered after the outage');
      afterMs = Date.now() - ended;
      await sleep(2_000);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    const figures = deliveryFigures(sandbox, expected);
    const bound = resendBound(1, peakRequestsPerSecond(sandbox));
    const deadLetters = await deadLetteredCount(kafka, layout);
    // Every class topic has its own retry topic. What the outage hands off is what failed with a code that
    // signals an outage; a profile update that waits for its profile (PROFILE_NOT_FOUND_YET: the event that
    // creates it is still in the lower class's backlog the outage left) is not the outage's doing.
    let handedOff = 0;
    let waitingForProfile = 0;
    for (const topic of outboundTopics(layout.outboundTopic)) {
      for (const record of await readTopic(kafka, retryTopic(topic))) {
        const lastCode = record.headers[RETRY_HEADER.lastCode];
        if (lastCode === 'PROFILE_NOT_FOUND_YET') waitingForProfile += 1;
        else if (lastCode !== undefined) handedOff += 1;
      }
    }
    reportFigures('outage', {
      'outage seconds (503 to everything)': OUTAGE_MS / 1000,
      'domain events sent': events.length,
      'sent per second': RATE,
      'requests Klaviyo saw during the outage': duringOutage ?? NaN,
      'bound: in-flight waves + one probe per family per breaker opening': probeBound(OUTAGE_MS),
      'requests handed to the retry topic by the outage': handedOff,
      'profile updates handed off waiting for their profile': waitingForProfile,
      'seconds from outage end to all delivered': Math.round((afterMs ?? NaN) / 100) / 10,
      'Klaviyo events expected': figures.expected,
      'Klaviyo events recorded': figures.recorded,
      lost: figures.lost,
      'raw duplicate requests': figures.rawDuplicates,
      'raw re-send bound': bound,
      'dead-lettered': deadLetters,
    });
    expect(duringOutage).toBeGreaterThan(0);
    expect(duringOutage).toBeLessThanOrEqual(probeBound(OUTAGE_MS));
    expect(handedOff).toBe(0);
    expect(deadLetters).toBe(0);
    expectExactDelivery(figures, bound);
  });
});
