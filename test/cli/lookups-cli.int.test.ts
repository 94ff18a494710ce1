// Errors for people (issue 16): a look-up of something that is not there, or a broker that cannot be
// reached, ends with exit 2 and one line that says what, never a stack trace or kafkajs's log lines.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testEndpoints, uniqueName } from '../support/kafka-test-kit.ts';

const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

function run(args: readonly string[], env: Record<string, string>) {
  const result = spawnSync(cli, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectOneLine(result: { stderr: string }, pattern: RegExp): void {
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(/\n\s+at |"stack"/);
}

describe('CLI look-ups and unreachable endpoints', () => {
  const endpoints = testEndpoints();
  const env = {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    RELAY_AUDIT_TOPIC: uniqueName('lookups.audit'),
  };

  it('a replay id, an event type, a git revision that do not exist: exit 2 with NOT_FOUND', () => {
    const resume = run(['dlq', 'replay', '--resume', 'no-such-replay'], env);
    expect(resume.status).toBe(2);
    expectOneLine(resume, /no replay with id "no-such-replay" \(NOT_FOUND\)/);
    const diff = run(['schemas', 'diff', 'NoSuchEvent', '--registry', endpoints.schemaRegistryUrl], env);
    expect(diff.status).toBe(2);
    expectOneLine(diff, /no event NoSuchEvent/);
    const offline = run(['schemas', 'check', '--offline', '--against', 'no-such-ref-issue16'], env);
    expect(offline.status).toBe(2);
    expectOneLine(offline, /no such git revision: no-such-ref-issue16/);
  });

  it('a broker that cannot be reached: exit 2, one line, none of kafkajs log lines', () => {
    const result = run(['dlq', 'list', 'x.dlq'], { ...env, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(result.status).toBe(2);
    expectOneLine(result, /Kafka cannot be reached: .*ECONNREFUSED.*\(KAFKA_UNAVAILABLE\)/);
  }, 90_000);
});
