// Scenario 3, registry outage: the relay meets a schema registry it cannot reach (a loopback proxy in front
// of the real one refuses every connection) for the outage, with events waiting on the domain topic.
// Decoding waits and retries (REGISTRY_UNAVAILABLE is never dead-lettered), and /metrics says so
// (relay_readiness_check{check="projector.registry"} 0, what KlaviyoRelaySchemaRegistryUnavailable alerts on);
// when the registry is back, everything is delivered once and nothing is dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.ts';
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
import { faultLayout, faultRelayEnv, freePort, sleep, spawnRelay, until } from './support/relay-process.ts';
import { encodeAll, mixedEvents, sendRecords } from './support/traffic.ts';

const OUTAGE_MS = byProfile({ ci: 12_000, full: 30_000 });
const EVENTS = byProfile({ ci: 800, full: 4_000 });

let sandbox: Sandbox;
let proxy: FaultProxy;
beforeAll(async () => {
  sandbox = await faultSandbox();
  const registry = new URL(testEndpoints().schemaRegistryUrl);
  proxy = await startFaultProxy({ host: registry.hostname, port: Number(registry.port) }, registry.pathname);
});
afterAll(async () => {
  await proxy.close();
  await sandbox.close();
});

describe('registry outage', () => {
  it(`waits out ${OUTAGE_MS / 1000} s without the registry, then delivers everything`, async () => {
    const layout = faultLayout('registry');
    const endpoints = testEndpoints();
    const httpPort = await freePort();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: proxy.url,
      klaviyoUrl: sandbox.url,
      httpPort,
    });
    const kafka = testKafka('faults-registry');
    await createLayoutTopics(kafka, layout, 4);
    const events = mixedEvents(EVENTS, `reg${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    // Encoded through the real registry: the records carry ids the relay has never resolved.
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
    await sendRecords(kafka, layout.sourceTopic, records);

    proxy.setMode({ kind: 'refuse' });
    const outageFrom = Date.now();
    const relay = spawnRelay(env, 'registry-outage');
    const readiness: number[] = [];
    const registryCheck = (): Promise<string | undefined> =>
      fetch(`http://127.0.0.1:${httpPort}/metrics`)
        .then((response) => response.text())
        .then((text) => /^relay_readiness_check\{check="projector\.registry"\} (\d)$/m.exec(text)?.[1])
        .catch(() => undefined);
    const registryCheckDuringOutage = new Set<string | undefined>();
    while (Date.now() - outageFrom < OUTAGE_MS) {
      readiness.push(
        await fetch(`http://127.0.0.1:${httpPort}/readyz`)
          .then((response) => response.status)
          .catch(() => 0),
      );
      registryCheckDuringOutage.add(await registryCheck());
      await sleep(1_000);
    }
    const recordedDuringOutage = sandbox.admin.store.events.length;
    const refused = proxy.counters().cut;
    proxy.setMode({ kind: 'pass' });
    const restoredAt = Date.now();
    let drainedMs: number | undefined;
    try {
      drainedMs = await until(() => hasAll(sandbox, expected), 120_000, 'every event after the outage');
      await sleep(2_000);
      expect(await registryCheck()).toBe('1');
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    const firstAfter = sandbox.admin.store.events.reduce(
      (first, event) => (event.acceptedAt >= restoredAt ? Math.min(first, event.acceptedAt) : first),
      Number.POSITIVE_INFINITY,
    );
    const delivery = deliveryFigures(sandbox, expected);
    const rawBound = resendBound(1, peakRequestsPerSecond(sandbox));
    const deadLetters =
      (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
      (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length;
    const answered = readiness.filter((status) => status !== 0);
    reportFigures('registry-outage', {
      'outage seconds': OUTAGE_MS / 1000,
      'domain events waiting': EVENTS,
      'registry connections refused': refused,
      'recorded during the outage': recordedDuringOutage,
      '/readyz during the outage (status: probes)': [...new Set(answered)]
        .map((status) => `${status}: ${answered.filter((s) => s === status).length}`)
        .join(', '),
      'seconds from registry back to first delivery': Math.round((firstAfter - restoredAt) / 100) / 10,
      'seconds from registry back to all delivered': Math.round((drainedMs ?? Number.NaN) / 100) / 10,
      'Klaviyo events expected': delivery.expected,
      'Klaviyo events recorded': delivery.recorded,
      lost: delivery.lost,
      'duplicates recorded': delivery.duplicatesRecorded,
      'duplicate requests absorbed by dedup': delivery.duplicatesAbsorbed,
      'raw duplicate requests (events and PATCHes sent again)': delivery.rawDuplicates,
      'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
      'dead-lettered': deadLetters,
    });
    expect(refused).toBeGreaterThan(0);
    expect(recordedDuringOutage).toBe(0);
    expect(answered).toContain(503); // unhealthy while it cannot decode
    expect(registryCheckDuringOutage).toContain('0');
    expectExactDelivery(delivery, rawBound);
    expect(deadLetters).toBe(0);
  });
});
