// The dlq commands as an on-call engineer meets them (issue 16): refusals and missing topics end with
// exit 2 and one line that names the topic, never a stack trace, and change nothing.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshotTopic } from '../../src/dlq/topic-reader.ts';
import { createTopics, testEndpoints, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import type { Admin } from 'kafkajs';

const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function run(args: readonly string[], env: Record<string, string>): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cli, args, { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

const noStackTrace = (text: string): void => expect(text).not.toMatch(/\n\s+at |Caused by/);

describe('dlq commands on the real broker, as a person runs them', () => {
  const kafka = testKafka('dlq-cli-safety');
  const domainTopic = uniqueName('probe.prod.events');
  const missing = `${uniqueName('no.such')}.dlq`;
  let admin: Admin;
  let env: Record<string, string>;

  beforeAll(async () => {
    await createTopics(kafka, [domainTopic], 1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: domainTopic, messages: [1, 2, 3].map((n) => ({ key: `k${n}`, value: `v${n}` })) });
    await producer.disconnect();
    admin = kafka.admin();
    await admin.connect();
    const endpoints = testEndpoints();
    env = {
      KAFKA_BROKERS: endpoints.kafkaBrokers,
      SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
      RELAY_AUDIT_TOPIC: uniqueName('dlq-cli-safety.audit'),
    };
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it('purge --all of a domain topic with filters is refused: exit 2, one line, nothing deleted', async () => {
    const result = await run(
      ['dlq', 'purge', domainTopic, '--all', '--code', 'NO_SUCH_CODE', '--key', 'nobody', '--yes'],
      env,
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`${domainTopic.replace(/\./g, '\\.')} is not one`));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    noStackTrace(result.stderr);
    const snapshot = await snapshotTopic(admin, domainTopic);
    expect(snapshot?.partitions).toEqual([{ partition: 0, low: 0, high: 3 }]);
  });

  it.each([
    [['dlq', 'list'], []],
    [['dlq', 'show'], []],
    [['dlq', 'purge'], ['--yes']],
    [
      ['dlq', 'purge'],
      ['--all', '--yes'],
    ],
    [['dlq', 'replay'], []],
    [['dlq', 'park'], []],
  ] as const)('%j on a missing topic: exit 2 naming it, fast, no stack trace, no audit', async (command, extra) => {
    const result = await run([...command, missing, ...extra], env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`topic ${missing} does not exist`);
    noStackTrace(result.stderr);
    expect(result.ms).toBeLessThan(15_000);
    expect((await admin.listTopics()).includes(env.RELAY_AUDIT_TOPIC ?? '')).toBe(false);
  });
});
