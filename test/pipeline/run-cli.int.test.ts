// `klaviyo-relay run` as an operator starts it: bad configuration exits 2 listing every problem, and a
// missing KLAVIYO_API_KEY is a configuration problem when the role includes the dispatcher.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/klaviyo-relay', import.meta.url).pathname;

function run(args: string[], env: Record<string, string>) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(KAFKA_|SCHEMA_REGISTRY_|KLAVIYO_|RELAY_)/.test(name)),
  );
  return spawnSync(BIN, ['run', ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 60_000 });
}

describe('klaviyo-relay run: configuration errors exit 2', () => {
  it('lists every problem at once', () => {
    const result = run([], { KAFKA_BROKERS: 'not a broker', RELAY_TOPIC_PARTITIONS: '0' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('KAFKA_BROKERS');
    expect(result.stderr).toContain('SCHEMA_REGISTRY_URL');
    expect(result.stderr).toContain('RELAY_TOPIC_PARTITIONS');
  });

  it('requires KLAVIYO_API_KEY for the dispatcher, not for --role projector', () => {
    const base = { KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9' };
    const all = run([], base);
    expect(all.status).toBe(2);
    expect(all.stderr).toContain('KLAVIYO_API_KEY');
    const dispatcher = run(['--role', 'dispatcher'], base);
    expect(dispatcher.status).toBe(2);
    expect(dispatcher.stderr).toContain('KLAVIYO_API_KEY');
    expect(run(['--role', 'nonsense'], base).status).toBe(2);
  });

  it('fails with exit 2 (an endpoint it cannot reach), not a hang, when Kafka cannot be reached (projector alone needs no key)', () => {
    const result = run(['--role', 'projector'], {
      KAFKA_BROKERS: '127.0.0.1:9',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:9',
      KAFKA_CONNECTION_TIMEOUT_MS: '200',
      LOG_LEVEL: 'silent',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('could not start');
    expect(result.stderr).toContain('KAFKA_UNAVAILABLE');
  });
});
