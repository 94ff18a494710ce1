// Scenario 7, secrets: the API key and every reset-link token of the traffic never appear in a log line
// (of this run at debug level and of every scenario before it), in /metrics, /healthz or /readyz, in a
// dead-letter header, or in the output of `config check`, `dlq show` and `project`. A positive control
// (the tokens are found where they belong: the domain records) shows the grep can find what it looks for.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { createLayoutTopics } from './support/topics.ts';
import { reportFigures } from './support/figures.ts';
import { hostileCorpus } from './support/hostile.ts';
import { faultSandbox, hasAll, readTopic } from './support/outcome.ts';
import { faultLayout, faultRelayEnv, freePort, LOGS_DIR, sleep, spawnRelay, until } from './support/relay-process.ts';
import { encodeAll, KNOWN_API_KEY, mixedEvents, RESET_TOKEN_PREFIX, sendRecords } from './support/traffic.ts';

const BIN = new URL('../../bin/klaviyo-relay', import.meta.url).pathname;
const SECRETS = { 'API key': KNOWN_API_KEY, 'reset-link token': RESET_TOKEN_PREFIX } as const;

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

function cli(args: readonly string[], env: Record<string, string>, stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, [...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => resolve(`$ klaviyo-relay ${args.join(' ')} (exit ${String(code)})\n${output}`));
    child.stdin.end(stdin);
  });
}

function occurrences(text: string, secret: string): number {
  return text.split(secret).length - 1;
}

describe('secrets never leave the relay', () => {
  it('finds neither the API key nor a reset token in logs, metrics, dead letters or CLI output', async () => {
    const layout = faultLayout('secrets');
    const endpoints = testEndpoints();
    const httpPort = await freePort();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
      httpPort,
      extra: { LOG_LEVEL: 'debug' },
    });
    const kafka = testKafka('faults-secrets');
    await createLayoutTopics(kafka, layout, 4);
    const events = mixedEvents(800, `sec${Date.now().toString(36)}`);
    const expected = await expectedEvents(events, relayConfig(env));
    const valid = await encodeAll(events, layout.sourceTopic, endpoints.schemaRegistryUrl);
    const hostile = (await hostileCorpus(events, layout.sourceTopic, endpoints.schemaRegistryUrl, 0)).filter(
      (record) => record.value.length < 512 * 1024,
    );
    // Retries, resets and Klaviyo's errors are where secrets tend to slip into logs: have some of each.
    sandbox.admin.faults.add({ effect: { kind: 'status', status: 503 }, share: 0.2, count: 60 }, Date.now());
    sandbox.admin.faults.add({ effect: { kind: 'reset' }, share: 0.1, count: 20 }, Date.now());
    const relay = spawnRelay(env, 'secrets');
    let metrics = '';
    try {
      await sendRecords(kafka, layout.sourceTopic, [...valid, ...hostile]);
      await until(() => hasAll(sandbox, expected), 180_000, 'every event delivered');
      await sleep(1_000);
      for (const path of ['/metrics', '/healthz', '/readyz']) {
        const response = await fetch(`http://127.0.0.1:${httpPort}${path}`);
        metrics += `${path}\n${await response.text()}\n`;
      }
    } finally {
      expect(await relay.stop()).toBe(0);
    }

    const sourceRecords = await readTopic(kafka, layout.sourceTopic);
    const deadLetters = [
      ...(await readTopic(kafka, deadLetterTopic(layout.sourceTopic))),
      ...(await readTopic(kafka, deadLetterTopic(layout.outboundTopic))),
    ];
    const headers = deadLetters.map((record) => JSON.stringify(record.headers)).join('\n');
    const resetEvent = events.find((event) => event.type === 'PasswordResetRequested');
    const cliOutput = [
      await cli(['config', 'check'], env),
      await cli(['config', 'check', '--json'], env),
      await cli(['config', 'check'], { ...env, KAFKA_BROKERS: 'not a broker list' }),
      await cli(['dlq', 'show', deadLetterTopic(layout.sourceTopic)], env),
      await cli(['dlq', 'show', deadLetterTopic(layout.sourceTopic), '--json'], env),
      await cli(['project', '-'], env, JSON.stringify(resetEvent)),
      await cli(['project', '-', '--check'], env, JSON.stringify(resetEvent)),
    ].join('\n');
    // Kept beside the logs for whoever reads a failure (.txt: the next run's log scan does not re-read it).
    writeFileSync(`${LOGS_DIR}secrets-cli-output.txt`, cliOutput);
    const logFiles = readdirSync(LOGS_DIR).filter((name) => name.endsWith('.log'));
    const logs = logFiles.map((name) => readFileSync(`${LOGS_DIR}${name}`, 'utf8')).join('\n');

    const places = { logs, 'metrics and health': metrics, 'dead-letter headers': headers, 'CLI output': cliOutput };
    const found: Record<string, number> = {};
    for (const [place, text] of Object.entries(places)) {
      for (const [name, secret] of Object.entries(SECRETS)) found[`${name} in ${place}`] = occurrences(text, secret);
    }
    const control = sourceRecords.filter((record) => record.value?.includes(RESET_TOKEN_PREFIX) === true).length;
    reportFigures('secrets', {
      'log files scanned': logFiles.length,
      'log lines scanned': logs.split('\n').length,
      'metrics and health bytes scanned': metrics.length,
      'dead letters scanned': deadLetters.length,
      'CLI output bytes scanned': cliOutput.length,
      'control: domain records carrying a token': control,
      ...found,
    });
    expect(control).toBeGreaterThan(0);
    expect(deadLetters.length).toBe(hostile.length);
    for (const [place, count] of Object.entries(found)) expect({ place, count }).toEqual({ place, count: 0 });
  });
});
