// `klaviyo-relay project` as a producing team runs it (issue 16): the relay's own path, so --check flags
// what the relay would dead-letter; shared objects print as values, not "[Circular]"; hostile input is a
// one-line reason, never a stack trace.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli, STACK_TRACE } from '../support/cli.ts';

const example = (type: string): string =>
  readFileSync(new URL(`../../schemas/examples/${type}.json`, import.meta.url), 'utf8');

const project = (args: readonly string[], input: string, env: Record<string, string> = {}) =>
  runCli(['project', '-', ...args], env, input);

const noStackTrace = (text: string): void => expect(text).not.toMatch(STACK_TRACE);

describe('klaviyo-relay project', () => {
  it('prints AccountUpdated with its properties where they belong, not "[Circular]"', () => {
    const result = project(['--now', '2023-11-01T00:00:00Z'], example('AccountUpdated'));
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain('[Circular]');
  });

  it('--check flags a reset link the relay would dead-letter, and why', () => {
    const hosts = { RELAY_RESET_LINK_HOSTS: 'www.website.com' };
    expect(project(['--check', '--now', '2023-11-01T00:00:00Z'], example('PasswordResetRequested'), hosts).status).toBe(
      0,
    );
    const elsewhere = example('PasswordResetRequested').replace('www.website.com', 'phish.example');
    const result = project(['--check', '--now', '2023-11-01T00:00:00Z'], elsewhere, hosts);
    expect(result.status).toBe(1);
    const [printed] = JSON.parse(result.stdout) as { error?: { code: string; message: string }; requests?: unknown }[];
    expect(printed?.requests).toBeUndefined();
    expect(printed?.error?.code).toBe('VALIDATION_FAILED');
    expect(printed?.error?.message).toMatch(/would dead-letter.*resetLink/);
  });

  it('answers a 100,000-deep value and a broken pretty-printed document with one line each', () => {
    const deep = `{"type":"AccountCreated","data":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const nested = project([], deep);
    expect([1, 2]).toContain(nested.status);
    noStackTrace(nested.stderr);
    expect(nested.stderr.trim().split('\n')).toHaveLength(1);
    const broken = project([], example('OrderPlaced').replace('"orderId":', '"orderId"'));
    expect(broken.status).toBe(2);
    expect(broken.stderr).toMatch(/input is not JSON: .*\(line \d+ column \d+\)/);
    expect(broken.stderr).not.toMatch(/\(line 1 column/);
    noStackTrace(broken.stderr);
  });
});
