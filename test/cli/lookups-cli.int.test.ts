// Errors for people (issue 16): a look-up of something that is not there, or a broker that cannot be
// reached, ends with exit 2 and one line that says what, never a stack trace or kafkajs's log lines.
import { describe, expect, it } from 'vitest';
import { endpointEnv, runCli as run, STACK_TRACE } from '../support/cli.ts';
import { uniqueName } from '../support/kafka-test-kit.ts';

function expectOneLine(result: { stderr: string }, pattern: RegExp): void {
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(STACK_TRACE);
}

describe('CLI look-ups and unreachable endpoints', () => {
  const env = {
    ...endpointEnv(),
    RELAY_AUDIT_TOPIC: uniqueName('lookups.audit'),
  };

  it('a replay id, an event type, a git revision that do not exist: exit 2 with NOT_FOUND', () => {
    const resume = run(['dlq', 'replay', '--resume', 'no-such-replay'], env);
    expect(resume.status).toBe(2);
    expectOneLine(resume, /no replay with id "no-such-replay" \(NOT_FOUND\)/);
    const diff = run(['schemas', 'diff', 'NoSuchEvent', '--registry', env.SCHEMA_REGISTRY_URL], env);
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
