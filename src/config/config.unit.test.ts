import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatConfigProblems, loadConfig, secretsOf } from './config.ts';
import { ENV_VARIABLES } from './env-schema.ts';

const minimal = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7' };

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const result = loadConfig(minimal);
    if (!result.ok) throw new Error(formatConfigProblems(result.problems));
    expect(result.config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(result.config.klaviyo.rateLimits.events).toEqual({ perSecond: 350, perMinute: 3500 });
    expect(result.config.relay.projectorGroup).toBe('relay-projector');
    expect(result.config.relay.profileIdentifiers).toEqual(['external_id', 'email', 'phone_number']);
    expect(Object.isFrozen(result.config.klaviyo.rateLimits)).toBe(true);
    expect(Object.isFrozen(result.config.kafka.brokers)).toBe(true);
  });

  it('reports every problem at once, each naming its variable', () => {
    const result = loadConfig({
      KAFKA_BROKERS: '',
      SCHEMA_REGISTRY_URL: 'not a url',
      KLAVIYO_TIMEOUT_MS: 'soon',
      RELAY_ROLE: 'both',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => problem.variable).sort()).toEqual(
      ['KAFKA_BROKERS', 'KLAVIYO_TIMEOUT_MS', 'RELAY_ROLE', 'SCHEMA_REGISTRY_URL'].sort(),
    );
    const text = formatConfigProblems(result.problems);
    expect(text).toContain('4 problems');
    expect(text).toMatch(/KAFKA_BROKERS: must list at least one value/);
  });

  it('requires the Kafka and registry endpoints', () => {
    const result = loadConfig({});
    expect(result.ok ? [] : result.problems).toEqual([
      { variable: 'KAFKA_BROKERS', message: 'is required' },
      { variable: 'SCHEMA_REGISTRY_URL', message: 'is required' },
    ]);
  });

  it('parses lists, booleans and enums', () => {
    const result = loadConfig({
      ...minimal,
      KAFKA_BROKERS: 'a:9092, b:9093',
      RELAY_PROFILE_IDENTIFIERS: 'email',
      LOG_MASK_PII: 'yes',
      RELAY_RESET_LINK_HOSTS: 'shop.example, www.shop.example',
    });
    if (!result.ok) throw new Error(formatConfigProblems(result.problems));
    expect(result.config.kafka.brokers).toEqual(['a:9092', 'b:9093']);
    expect(result.config.relay.profileIdentifiers).toEqual(['email']);
    expect(result.config.log.maskPii).toBe(true);
    expect(result.config.relay.resetLinkHosts).toEqual(['shop.example', 'www.shop.example']);
  });

  it('rejects half-configured credentials', () => {
    const result = loadConfig({ ...minimal, KAFKA_SASL_USERNAME: 'u', SCHEMA_REGISTRY_PASSWORD: 'p' });
    expect(result.ok ? [] : result.problems.map((problem) => problem.variable)).toEqual([
      'KAFKA_SASL_MECHANISM',
      'SCHEMA_REGISTRY_USERNAME',
    ]);
  });

  it('reads RELAY_CONFIG_FILE (YAML) with the environment taking precedence, and names unknown keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
    const file = join(dir, 'relay.yaml');
    writeFileSync(
      file,
      'KAFKA_BROKERS: [file:9092]\nSCHEMA_REGISTRY_URL: http://file:8081\nRELAY_TOPIC_PARTITIONS: 12\n',
    );
    const result = loadConfig({ RELAY_CONFIG_FILE: file, SCHEMA_REGISTRY_URL: 'http://env:8081/' });
    if (!result.ok) throw new Error(formatConfigProblems(result.problems));
    expect(result.config.kafka.brokers).toEqual(['file:9092']);
    expect(result.config.registry.url).toBe('http://env:8081');
    expect(result.config.relay.topicPartitions).toBe(12);

    writeFileSync(file, 'KAFKA_BROKER: x:1\n');
    const bad = loadConfig({ RELAY_CONFIG_FILE: file });
    expect(bad.ok ? [] : bad.problems).toEqual([{ variable: 'KAFKA_BROKER', message: `unknown setting in ${file}` }]);
    const missing = loadConfig({ RELAY_CONFIG_FILE: join(dir, 'absent.yaml') });
    expect(missing.ok ? '' : missing.problems[0]?.variable).toBe('RELAY_CONFIG_FILE');
  });

  it('urgency classes and bulk-eligible metrics: the guide by default, operator overrides, bad entries named', () => {
    const defaults = loadConfig(minimal);
    if (!defaults.ok) throw new Error(formatConfigProblems(defaults.problems));
    expect(defaults.config.relay.urgency.byMetric['Reset Password']).toBe('urgent');
    expect(defaults.config.relay.urgency.promoteAfterMs).toBe(30_000);
    expect(defaults.config.relay.bulkEligibleMetrics).toEqual(['Ordered Product']);
    expect(defaults.config.relay.urgentHeadroom).toBe(0.01);
    const custom = loadConfig({
      ...minimal,
      RELAY_URGENCY_CLASSES: 'Shipping Update=high, Became Lead = low',
      RELAY_BULK_ELIGIBLE_METRICS: 'Ordered Product,Became Lead',
      RELAY_URGENT_HEADROOM_PERCENT: '2.5',
    });
    if (!custom.ok) throw new Error(formatConfigProblems(custom.problems));
    expect(custom.config.relay.urgency.byMetric['Shipping Update']).toBe('high');
    expect(custom.config.relay.urgency.byMetric['Became Lead']).toBe('low');
    expect(custom.config.relay.bulkEligibleMetrics).toEqual(['Ordered Product', 'Became Lead']);
    expect(custom.config.relay.urgentHeadroom).toBe(0.025);
    const bad = loadConfig({ ...minimal, RELAY_URGENCY_CLASSES: 'Shipping Update=soon,Reset Password' });
    expect(bad.ok ? [] : bad.problems.map((problem) => problem.variable)).toEqual([
      'RELAY_URGENCY_CLASSES',
      'RELAY_URGENCY_CLASSES',
    ]);
  });

  it('.env.example documents every variable, and only those', () => {
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    documented.delete('RELAY_CONFIG_FILE');
    expect([...documented].sort()).toEqual([...ENV_VARIABLES].sort());
  });
});

describe('configuration parsed once, completely (issue 16)', () => {
  const base = { KAFKA_BROKERS: '127.0.0.1:9092', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081' };
  const problemsOf = (env: Record<string, string>, options = {}): string[] => {
    const result = loadConfig(env, options);
    return result.ok ? [] : result.problems.map((problem) => `${problem.variable}: ${problem.message}`);
  };

  it('refuses freshness windows it cannot parse, naming the variable', () => {
    expect(problemsOf({ ...base, RELAY_FRESHNESS_WINDOWS: 'garbage' })).toEqual([
      expect.stringMatching(/^RELAY_FRESHNESS_WINDOWS: "garbage": expected/),
    ]);
    const loaded = loadConfig({ ...base, RELAY_FRESHNESS_WINDOWS: 'Reset Password=2h,Shipping Update=1d' });
    expect(loaded.ok && loaded.config.relay.freshness.get('Reset Password')).toBe(7_200_000);
  });

  it('reads and validates the lead routing file', () => {
    expect(problemsOf({ ...base, RELAY_LEAD_ROUTING_FILE: '/no/such/rules.yaml' })).toEqual([
      expect.stringMatching(/^RELAY_LEAD_ROUTING_FILE: cannot read \/no\/such\/rules\.yaml/),
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"rules": 3}');
    expect(problemsOf({ ...base, RELAY_LEAD_ROUTING_FILE: bad })).toEqual([
      expect.stringMatching(/^RELAY_LEAD_ROUTING_FILE: /),
    ]);
  });

  it('requires KLAVIYO_API_KEY where the service delivers, not for tools nor the projector role', () => {
    expect(problemsOf(base, { service: true })).toEqual([
      'KLAVIYO_API_KEY: is required when the role includes the dispatcher (role all)',
    ]);
    expect(problemsOf({ ...base, RELAY_ROLE: 'projector' }, { service: true })).toEqual([]);
    expect(problemsOf(base)).toEqual([]);
  });

  it.each([
    ['a trailing newline', 'pk_0123456789abcdef\n'],
    ['a space inside', 'pk_0123 456789'],
    ['a tab', 'pk_0123456789\tabc'],
    ['a control character', 'pk_0123456789\u0000'],
    ['a character undici cannot put in a header', 'pk_0123456789\u20ac'],
    ['a typographic quote', 'pk_0123456789abcdef\u201d'],
    ['no pk_ prefix', 'sk_0123456789abcdef'],
    ['a public key', 'AbC123'],
  ])('refuses a KLAVIYO_API_KEY with %s, without quoting it', (_what, key) => {
    const problems = problemsOf({ ...base, KLAVIYO_API_KEY: key });
    expect(problems).toEqual([expect.stringMatching(/^KLAVIYO_API_KEY: must be a Klaviyo private API key/)]);
    expect(problems.join('\n')).not.toContain(key.trim());
  });

  it('lists every secret once, including passwords inside URLs', () => {
    const loaded = loadConfig({
      ...base,
      SCHEMA_REGISTRY_URL: 'http://alice:pw%40rd@registry.internal:8081',
      KLAVIYO_API_KEY: 'pk_secret_probe_123456',
      SCHEMA_REGISTRY_USERNAME: 'svc',
      SCHEMA_REGISTRY_PASSWORD: 'registry-password',
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(secretsOf(loaded.config).sort()).toEqual(['pk_secret_probe_123456', 'pw@rd', 'registry-password']);
  });
});
