// Configuration parsed once, completely (issue 16), as an operator meets it: `config check` catches what
// `run` would trip on, `run` exits 2 before it touches Kafka, and no secret is printed, not even in a URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin } from 'kafkajs';
import { endpointEnv, runCli as run } from '../support/cli.ts';
import { testKafka, uniqueName } from '../support/kafka-test-kit.ts';

describe('configuration problems stop a command before it starts', () => {
  const kafka = testKafka('config-cli');
  let admin: Admin;
  let env: Record<string, string>;

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    env = {
      ...endpointEnv(),
      KLAVIYO_API_KEY: 'pk_configcli0123456789',
      RELAY_OUTBOUND_TOPIC: uniqueName('config-cli.requests'),
      RELAY_SOURCE_TOPICS: uniqueName('config-cli.events'),
      RELAY_HTTP_PORT: '0',
      LOG_LEVEL: 'silent',
    };
  });

  afterAll(async () => {
    await admin.disconnect();
  });

  it.each([
    ['RELAY_FRESHNESS_WINDOWS', 'garbage'],
    ['RELAY_LEAD_ROUTING_FILE', '/no/such/routing.yaml'],
    ['KLAVIYO_API_KEY', 'pk_configcli0123456789\n'],
  ])('%s=%j: config check and run exit 2 naming it; run creates no topic', async (variable, value) => {
    const bad = { ...env, [variable]: value };
    const check = run(['config', 'check'], bad);
    expect(check.status).toBe(2);
    expect(check.stderr).toContain(variable);
    const started = run(['run'], bad);
    expect(started.status).toBe(2);
    expect(started.stderr).toContain(variable);
    expect(started.stderr).not.toMatch(/\n\s+at /);
    const topics = await admin.listTopics();
    expect(topics).not.toContain(env.RELAY_OUTBOUND_TOPIC);
    expect(topics).not.toContain(env.RELAY_SOURCE_TOPICS);
  });

  it('config check requires the key where the role delivers, and redacts passwords inside URLs', () => {
    const { KLAVIYO_API_KEY: _key, ...withoutKey } = env;
    expect(run(['config', 'check'], withoutKey).status).toBe(2);
    expect(run(['config', 'check'], { ...withoutKey, RELAY_ROLE: 'projector' }).status).toBe(0);
    const shown = run(['config', 'check', '--json'], {
      ...env,
      SCHEMA_REGISTRY_URL: 'http://alice:s3cretpw@registry.internal:8081/apis/ccompat/v7',
      KLAVIYO_API_KEY: 'pk_secret_probe_123456',
    });
    expect(shown.status).toBe(0);
    const output = shown.stdout + shown.stderr;
    expect(output).not.toMatch(/s3cretpw|alice|pk_secret_probe_123456/);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      registry: { url: 'http://[REDACTED]@registry.internal:8081/apis/ccompat/v7' },
      relay: { freshness: { 'Reset Password': 3_600_000 } },
    });
  });
});
