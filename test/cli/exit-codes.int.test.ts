import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

function run(args: readonly string[], env: Record<string, string> = {}) {
  const result = spawnSync(cli, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('klaviyo-relay exit codes', () => {
  it('bad config exits 2 with one message naming every bad variable', () => {
    const result = run(['config', 'check'], { KAFKA_BROKERS: '', SCHEMA_REGISTRY_URL: 'registry.internal:8081' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Invalid configuration \(2 problems\)/);
    expect(result.stderr).toMatch(/KAFKA_BROKERS/);
    expect(result.stderr).toMatch(/SCHEMA_REGISTRY_URL/);
  });

  it('an unknown command is a usage error (2); --help is 0', () => {
    expect(run(['no-such-command']).status).toBe(2);
    const help = run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: klaviyo-relay/);
  });

  it('config check never prints the API key', () => {
    const key = 'pk_0123456789abcdef0123';
    const result = run(['config', 'check', '--json'], {
      KAFKA_BROKERS: '127.0.0.1:9092',
      SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
      KLAVIYO_API_KEY: key,
    });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ klaviyo: { apiKey: '[REDACTED]' } });
    expect(result.stdout + result.stderr).not.toContain(key);
  });
});
