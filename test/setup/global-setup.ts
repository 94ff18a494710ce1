// Vitest globalSetup for the integration project: finds (or starts) a real Kafka and schema registry
// once per run and hands their addresses to every test file, through the environment (what the relay's
// own config reads) and through vitest's provide/inject.
import type { TestProject } from 'vitest/node';
import { acquireTestEndpoints } from '../support/endpoints.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    schemaRegistryUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const say = (line: string): void => {
    process.stderr.write(`[global-setup] ${line}\n`);
  };
  const endpoints = await acquireTestEndpoints({ holder: 'vitest', say });
  say(`using ${endpoints.description}`);
  // Test workers are forked after global setup, so they inherit these.
  process.env['KAFKA_BROKERS'] = endpoints.kafkaBrokers;
  process.env['SCHEMA_REGISTRY_URL'] = endpoints.schemaRegistryUrl;
  project.provide('kafkaBrokers', endpoints.kafkaBrokers);
  project.provide('schemaRegistryUrl', endpoints.schemaRegistryUrl);
  return async () => {
    await endpoints.release();
  };
}
