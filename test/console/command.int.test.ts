// `klaviyo-relay console` as an operator starts it: loopback, a token printed at start (or taken from
// RELAY_CONSOLE_TOKEN and then never printed), pages served, a clean stop on SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testEndpoints } from '../support/kafka-test-kit.ts';

const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

async function startConsole(env: Record<string, string>): Promise<{
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}> {
  const endpoints = testEndpoints();
  const child = spawn(cli, ['console', '--port', '0'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      KAFKA_BROKERS: endpoints.kafkaBrokers,
      SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const started = Date.now();
  while (!/console on (http:\S+)/.test(output)) {
    if (child.exitCode !== null || Date.now() - started > 60_000) throw new Error(`console did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: /console on (http:\S+)/.exec(output)?.[1] ?? '',
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('klaviyo-relay console', () => {
  it('listens on loopback, prints a fresh token, serves the overview and the sign-in with it, stops on SIGTERM', async () => {
    const running = await startConsole({});
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const token = /token for changes \(replay, park, purge\): (\S+)/.exec(running.output())?.[1] ?? '';
      expect(token).toMatch(/^[\w-]{32}$/);
      const overview = await fetch(`${running.url}/`);
      expect(overview.status).toBe(200);
      expect(await overview.text()).toContain('Dead-letter and parked topics');
      const css = await fetch(`${running.url}/static/console.css`);
      expect(css.headers.get('content-type')).toMatch(/text\/css/);
      const signIn = (value: string): Promise<Response> =>
        fetch(`${running.url}/signin`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: running.url },
          body: new URLSearchParams({ token: value, next: '/' }).toString(),
        });
      expect((await signIn(token)).status).toBe(303);
      expect((await signIn('wrong')).status).toBe(401);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });

  it('refuses a short RELAY_CONSOLE_TOKEN as a configuration error (exit 2)', () => {
    const endpoints = testEndpoints();
    const result = spawnSync(cli, ['console', '--port', '0'], {
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: endpoints.kafkaBrokers,
        SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
        RELAY_CONSOLE_TOKEN: 'short',
      },
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/RELAY_CONSOLE_TOKEN: use at least 16 characters/);
  });

  it('takes RELAY_CONSOLE_TOKEN and never prints it', async () => {
    const token = 'a-console-token-from-the-environment';
    const running = await startConsole({ RELAY_CONSOLE_TOKEN: token });
    try {
      expect(running.output()).toContain('token for changes: RELAY_CONSOLE_TOKEN');
      expect(running.output()).not.toContain(token);
    } finally {
      expect(await running.stop()).toBe(0);
    }
  });
});
