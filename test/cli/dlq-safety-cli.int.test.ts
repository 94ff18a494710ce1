// The dlq commands as an on-call engineer meets them (issue 16): refusals and missing topics end with
// exit 2 and one line that names the topic, never a stack trace, and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { snapshotTopic } from '../../src/dlq/topic-reader.ts';
import { endpointEnv, runCliAsync as run, STACK_TRACE } from '../support/cli.ts';
import { createTopics, testKafka, uniqueName } from '../support/kafka-test-kit.ts';

const noStackTrace = (text: string): void => expect(text).not.toMatch(STACK_TRACE);

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
    env = {
      ...endpointEnv(),
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
