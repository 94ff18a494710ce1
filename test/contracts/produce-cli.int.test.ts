/**
 * `klaviyo-relay produce` as a producing team would run it, against the real registry and broker: JSON
 * lines in, Avro records on the topic (decoded back here), and the exit codes 0/1/2.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createEventDecoder } from '../../src/codec/decoder.ts';
import { createRegistryClient } from '../../src/codec/registry-client.ts';
import { DOMAIN_EVENT_TYPES } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { createEventValidator } from '../../src/domain/validation.ts';
import {
  consumeUntil,
  createTopics,
  testConsumer,
  testEndpoints,
  testKafka,
  uniqueName,
} from '../support/kafka-test-kit.ts';

const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

function produce(args: readonly string[], input: string, env: Record<string, string> = {}) {
  const { kafkaBrokers, schemaRegistryUrl } = testEndpoints();
  const result = spawnSync(cli, ['produce', ...args], {
    input,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KAFKA_BROKERS: kafkaBrokers,
      SCHEMA_REGISTRY_URL: schemaRegistryUrl,
      RELAY_RESET_LINK_HOSTS: 'www.website.com',
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('klaviyo-relay produce', () => {
  it('publishes every example from JSON lines on stdin; the records decode back to the examples', async () => {
    const topic = uniqueName('contracts.produce');
    const kafka = testKafka('contracts-produce');
    await createTopics(kafka, [topic]);
    const examples = DOMAIN_EVENT_TYPES.map((type) => loadExample(type));
    const result = produce(['--file', '-', '--topic', topic], examples.map((e) => JSON.stringify(e)).join('\n'));
    expect(result.status, result.stderr).toBe(0);
    const receipts = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; topic: string });
    expect(receipts.map((receipt) => receipt.type)).toEqual([...DOMAIN_EVENT_TYPES]);

    const received = await consumeUntil(testConsumer(kafka, { groupId: uniqueName('contracts-produce') }), {
      topics: [topic],
      count: examples.length,
      timeoutMs: 60_000,
    });
    const decoder = createEventDecoder({
      registry: createRegistryClient({ url: testEndpoints().schemaRegistryUrl }),
      validator: createEventValidator({ resetLinkHosts: ['www.website.com'] }),
    });
    const decoded = await Promise.all(received.map((message) => decoder.decode(message.value)));
    const types = decoded.map((result) => (result.ok ? result.event.type : result.error.code)).sort();
    expect(types).toEqual([...DOMAIN_EVENT_TYPES].sort());
  });

  it('exits 1 and sends nothing when a line does not fit the schema, naming the field', () => {
    const order = loadExample('OrderPlaced');
    const bad = { ...order.data, totalMinor: 'lots' };
    const result = produce(
      ['--type', 'OrderPlaced', '--file', '-'],
      `${JSON.stringify(order.data)}\n${JSON.stringify(bad)}`,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nothing sent/);
    expect(result.stderr).toMatch(/line 2: OrderPlaced does not fit its schema: totalMinor must be long, not string/);
    expect(result.stdout).toBe('');
  });

  it('exits 1 for an event that fits the schema but fails validation (an http reset link)', () => {
    const reset = loadExample('PasswordResetRequested');
    const bad = { ...reset, data: { ...reset.data, resetLink: 'http://www.website.com/reset/1' } };
    const result = produce(['--file', '-'], JSON.stringify(bad));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PasswordResetRequested\.resetLink must be an https URL/);
    expect(result.stderr).not.toContain('/reset/1');
  });

  it('exits 2 for an unknown --type, a missing file, and an unreachable registry', () => {
    expect(produce(['--type', 'OrderShipped', '--file', '-'], '{}').status).toBe(2);
    expect(produce(['--file', '/nonexistent/events.json'], '').status).toBe(2);
    const unreachable = produce(
      ['--file', '-', '--topic', uniqueName('contracts.unreachable')],
      JSON.stringify(loadExample('AccountCreated')),
      {
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9/apis/ccompat/v7',
      },
    );
    expect(unreachable.stderr).toMatch(/REGISTRY_UNAVAILABLE/);
    expect(unreachable.status).toBe(2);
  });
});
