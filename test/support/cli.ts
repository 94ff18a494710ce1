// Runs the `klaviyo-relay` command as a person does (bin/klaviyo-relay, a clean environment), for the
// tests of what the CLI prints and how it exits.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testEndpoints } from './kafka-test-kit.ts';

export const CLI = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the run, milliseconds. */
  readonly ms: number;
}

/** The environment of a run: only PATH and HOME from ours, plus `env`. */
function cleanEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env };
}

/** The test broker and registry, as a command's environment. */
export function endpointEnv(): { KAFKA_BROKERS: string; SCHEMA_REGISTRY_URL: string } {
  const endpoints = testEndpoints();
  return { KAFKA_BROKERS: endpoints.kafkaBrokers, SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl };
}

export function runCli(args: readonly string[], env: Readonly<Record<string, string>>, input?: string): CliResult {
  const started = performance.now();
  const result = spawnSync(CLI, args, {
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 90_000,
    ...(input === undefined ? {} : { input }),
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}

/** The same without blocking the test's event loop (for runs beside other work). */
export function runCliAsync(args: readonly string[], env: Readonly<Record<string, string>>): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr, ms: performance.now() - started }));
  });
}

/** Neither a JavaScript stack trace nor a log line carrying one. */
export const STACK_TRACE = /\n\s+at |"stack"|Caused by/;
