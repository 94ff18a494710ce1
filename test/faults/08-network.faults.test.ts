// Scenario 8, network faults between the relay and Klaviyo: a loopback fault proxy sits in front of the
// sandbox and, while traffic flows, adds latency to every chunk, resets a share of connections, then
// black-holes them (the relay's request timeout fires). Nothing is lost, dead-lettered or recorded twice.
// Kafka-side network faults: see RELIABILITY.md (the broker's advertised listener defeats a proxy; the
// broker-restart scenario cuts every Kafka connection instead).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { startFaultProxy, type FaultProxy, type ProxyMode } from './support/fault-proxy.ts';
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

const PHASE_MS = byProfile({ ci: 8_000, full: 30_000 });
const PHASES: readonly { readonly name: string; readonly mode: ProxyMode }[] = [
  { name: 'clean', mode: { kind: 'pass' } },
  { name: 'latency 300 ms per chunk', mode: { kind: 'latency', ms: 300 } },
  { name: 'reset 30% of connections', mode: { kind: 'reset', share: 0.3 } },
  { name: 'black hole (timeouts)', mode: { kind: 'blackhole' } },
  { name: 'clean again', mode: { kind: 'pass' } },
];
const EVENTS_PER_SECOND = 40;
const REQUEST_TIMEOUT_MS = 2_000;

let sandbox: Sandbox;
let proxy: FaultProxy;
beforeAll(async () => {
  sandbox = await faultSandbox();
  proxy = await startFaultProxy({ host: '127.0.0.1', port: sandbox.port });
});
afterAll(async () => {
  await proxy.close();
  await sandbox.close();
});

describe('network faults between the relay and Klaviyo', () => {
  it('loses nothing through latency, resets and timeouts', async () => {
    const layout = faultLayout('network');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: proxy.url,
      extra: { KLAVIYO_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) },
    });
    const kafka = testKafka('faults-network');
    await createLayoutTopics(kafka, layout, 4);
    const sendMs = PHASES.length * PHASE_MS;
    const events = mixedEvents(Math.round((EVENTS_PER_SECOND * sendMs) / 1000), `net${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const records = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);

    const relay = spawnRelay(env, 'network');
    const sampler = sampleRecorded(sandbox);
    const phases: { name: string; from: number; to: number; cut: number; blackholed: number }[] = [];
    let drainedMs: number | undefined;
    try {
      const sending = sendSteadily(kafka, layout.sourceTopic, records, sendMs);
      for (const phase of PHASES) {
        const before = proxy.counters();
        proxy.setMode(phase.mode);
        const from = Date.now();
        await sleep(PHASE_MS);
        const after = proxy.counters();
        phases.push({
          name: phase.name,
          from,
          to: Date.now(),
          cut: after.cut - before.cut,
          blackholed: after.blackholed - before.blackholed,
        });
      }
      proxy.setMode({ kind: 'pass' });
      await sending;
      drainedMs = await until(() => hasAll(sandbox, expected), 120_000, 'every event after the faults');
      await sleep(2_000);
    } finally {
      sampler.stop();
      proxy.setMode({ kind: 'pass' });
      expect(await relay.stop()).toBe(0);
    }
    const delivery = deliveryFigures(sandbox, expected);
    const rawBound = resendBound(1, peakRequestsPerSecond(sandbox));
    const deadLetters =
      (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
      (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length;
    const perPhase: Record<string, string> = {};
    for (const phase of phases) {
      perPhase[`phase: ${phase.name}`] =
        `${sampler.rate(phase.from, phase.to)} recorded/s, ${phase.cut} connections cut, ${phase.blackholed} black-holed`;
    }
    reportFigures('network', {
      'seconds per phase': PHASE_MS / 1000,
      'relay request timeout (ms)': REQUEST_TIMEOUT_MS,
      'domain events sent': events.length,
      ...perPhase,
      'seconds from last phase to all delivered': Math.round((drainedMs ?? Number.NaN) / 100) / 10,
      'Klaviyo events expected': delivery.expected,
      'Klaviyo events recorded': delivery.recorded,
      lost: delivery.lost,
      'duplicates recorded': delivery.duplicatesRecorded,
      'duplicate requests absorbed by dedup': delivery.duplicatesAbsorbed,
      'raw duplicate requests (events and PATCHes sent again)': delivery.rawDuplicates,
      'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
      'dead-lettered': deadLetters,
    });
    expect(phases.find((phase) => phase.name.startsWith('reset'))?.cut ?? 0).toBeGreaterThan(0);
    expect(phases.find((phase) => phase.name.startsWith('black'))?.blackholed ?? 0).toBeGreaterThan(0);
    expectExactDelivery(delivery, rawBound);
    expect(deadLetters).toBe(0);
  });
});
