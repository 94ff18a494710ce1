// The operations kit against a real relay (real Kafka, registry and the Klaviyo sandbox): its /metrics
// passes `promtool check metrics`, and every expression of the alert rules and of the Grafana dashboard
// parses (`promtool check rules`) and reads only metrics the relay exports.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, type RunningRelay } from '../../src/main.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import {
  GOOD_KEY,
  allExamples,
  expectedEvents,
  publish,
  quietLogger,
  relayConfig,
  relayEnv,
  uniqueLayout,
  until,
} from '../e2e/relay-harness.ts';
import {
  asRecordingRules,
  dashboardExpressions,
  exportedNames,
  metricNamesIn,
  ruleExpressions,
  type NamedExpression,
} from './promql.ts';
import { promtool } from './tools.ts';

/** Series Prometheus makes itself for every target, not the relay. */
const PROMETHEUS_OWN = new Set(['up']);

let sandbox: Sandbox;
let relay: RunningRelay;
let scrape: string;
const workDir = mkdtempSync(path.join(tmpdir(), 'relay-ops-'));

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: [GOOD_KEY] });
  const layout = uniqueLayout('ops');
  const env = relayEnv(layout, sandbox.url);
  relay = await startRelay(relayConfig(env), { logger: quietLogger });
  // Real traffic, so counters and histograms have samples (and labels) and not only their HELP lines.
  const examples = allExamples();
  await publish(layout.sourceTopic, [...examples, Buffer.from('not Avro')]);
  const expected = await expectedEvents(examples, relayConfig(env));
  await until(() => sandbox.admin.store.events.length >= expected.length, 90_000, 'the examples at the sandbox');
  scrape = await (await fetch(`${relay.httpUrl}/metrics`)).text();
});

afterAll(async () => {
  await relay?.stop();
  await sandbox?.close();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the operations kit against a live scrape', () => {
  it('the scrape passes promtool check metrics (units in names, _total counters, base units)', () => {
    expect(scrape).toMatch(/^relay_klaviyo_requests_total\{endpoint="events",status="202"\} [1-9]/m);
    expect(scrape).toMatch(/^relay_end_to_end_latency_seconds_bucket\{/m);
    expect(scrape).toMatch(/^process_resident_memory_bytes /m);
    const check = promtool(['check', 'metrics'], scrape);
    expect(check.output).toBe('');
    expect(check.status).toBe(0);
  });

  it('promtool check metrics does fail on a badly named metric (the check above can fail)', () => {
    const bad = '# HELP relay_sent_milliseconds x\n# TYPE relay_sent_milliseconds counter\nrelay_sent_milliseconds 1\n';
    const check = promtool(['check', 'metrics'], bad);
    expect(check.status).not.toBe(0);
    expect(check.output).toMatch(/counter metrics should have "_total" suffix/);
  });

  const expressions: NamedExpression[] = [...ruleExpressions(), ...dashboardExpressions()];

  it('every rule and dashboard expression parses', () => {
    expect(expressions.length).toBeGreaterThan(30);
    const file = path.join(workDir, 'expressions.rules.json');
    writeFileSync(file, asRecordingRules(expressions));
    const check = promtool(['check', 'rules', file]);
    expect(check.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(check.status).toBe(0);
  });

  it('every rule and dashboard expression reads only metrics the relay exports', () => {
    const exported = exportedNames(scrape);
    const unknown = expressions.flatMap((entry) =>
      metricNamesIn(entry.expr)
        .filter((name) => !exported.has(name) && !PROMETHEUS_OWN.has(name))
        .map((name) => `${entry.where}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // Every expression reads at least one metric (a typo that strips the name would pass the check above).
    expect(expressions.filter((entry) => metricNamesIn(entry.expr).length === 0)).toEqual([]);
  });
});
