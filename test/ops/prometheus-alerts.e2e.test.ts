// A real Prometheus server (the binary scripts/ops/ensure-prometheus.sh installs) scrapes a running relay
// with the repository's alert rules loaded: when Klaviyo refuses the key (the sandbox answers 401) the relay
// halts and KlaviyoRelayDeliveryHalted fires with its annotations; after a restart with the right key on
// the same port it clears.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../src/main.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import {
  GOOD_KEY,
  allExamples,
  publish,
  quietLogger,
  relayConfig,
  relayEnv,
  uniqueLayout,
  until,
} from '../e2e/relay-harness.ts';
import { RULES_FILE } from './promql.ts';
import { freePort, startPrometheus, type PrometheusServer } from './tools.ts';

interface Alert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

const workDir = mkdtempSync(path.join(tmpdir(), 'relay-prometheus-'));
let sandbox: Sandbox;
let prometheus: PrometheusServer | undefined;

async function alerts(): Promise<Alert[]> {
  const body = (await (await fetch(`${prometheus!.url}/api/v1/alerts`)).json()) as { data: { alerts: Alert[] } };
  return body.data.alerts;
}

async function haltAlert(): Promise<Alert | undefined> {
  return (await alerts()).find((alert) => alert.labels['alertname'] === 'KlaviyoRelayDeliveryHalted');
}

/** The latest value Prometheus holds for an instant query (undefined when it has no series). */
async function query(expr: string): Promise<string | undefined> {
  const url = `${prometheus!.url}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const body = (await (await fetch(url)).json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result[0]?.value[1];
}

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: [GOOD_KEY] });
});

afterAll(async () => {
  await prometheus?.stop();
  await sandbox?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('Prometheus with the relay alert rules', () => {
  it('fires KlaviyoRelayDeliveryHalted when Klaviyo refuses the key and clears it after a restart with the right key', async () => {
    const layout = uniqueLayout('alerts');
    // The restarted relay must answer where Prometheus scrapes.
    const relayPort = await freePort();
    const envWith = (apiKey: string) => ({
      ...relayEnv(layout, sandbox.url, apiKey),
      RELAY_HTTP_PORT: String(relayPort),
    });
    const configFile = path.join(workDir, 'prometheus.yml');
    writeFileSync(
      configFile,
      JSON.stringify({
        global: { scrape_interval: '1s', evaluation_interval: '1s' },
        rule_files: [RULES_FILE],
        scrape_configs: [{ job_name: 'klaviyo-relay', static_configs: [{ targets: [`127.0.0.1:${relayPort}`] }] }],
      }),
    );
    prometheus = await startPrometheus(configFile, path.join(workDir, 'data'));

    let relay: RunningRelay = await startRelay(relayConfig(envWith('pk_revokedkey000000000')), { logger: quietLogger });
    try {
      await until(
        async () => (await query('up{job="klaviyo-relay"}')) === '1',
        30_000,
        'Prometheus scraping the relay',
      );
      expect(await haltAlert()).toBeUndefined();
      await publish(layout.sourceTopic, allExamples());
      await until(async () => (await haltAlert())?.state === 'firing', 60_000, 'KlaviyoRelayDeliveryHalted firing');
      const alert = (await haltAlert())!;
      expect(alert.labels).toMatchObject({
        severity: 'critical',
        job: 'klaviyo-relay',
        instance: `127.0.0.1:${relayPort}`,
      });
      expect(alert.annotations['summary']).toBe(
        `klaviyo-relay 127.0.0.1:${relayPort} halted delivery: Klaviyo refused the API key`,
      );
      expect(alert.annotations['description']).toContain('(relay_halted = 1)');
      expect(alert.annotations['runbook_url']).toMatch(/README\.md#klaviyorelaydeliveryhalted$/);
      expect(sandbox.admin.counters().unauthorized).toBeGreaterThan(0);
    } finally {
      await relay.stop();
    }

    relay = await startRelay(relayConfig(envWith(GOOD_KEY)), { logger: quietLogger });
    try {
      await until(async () => (await query('relay_halted')) === '0', 30_000, 'Prometheus seeing the restarted relay');
      await until(async () => (await haltAlert()) === undefined, 30_000, 'KlaviyoRelayDeliveryHalted cleared');
      await until(() => sandbox.admin.store.events.length > 0, 60_000, 'delivery after the restart');
    } finally {
      await relay.stop();
    }
  });
});
