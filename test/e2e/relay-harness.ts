/**
 * Runs the whole relay for the e2e tests: real Kafka and registry (from the global setup), the Klaviyo
 * sandbox, unique topics and groups per test, the examples of schemas/examples encoded through the real
 * codec. `expectedEvents` is what the projection says the examples must become at Klaviyo.
 */
import { readdirSync } from 'node:fs';
import { createEventEncoder, createRegistryClient } from '../../src/codec/index.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { DomainEvent, DomainEventType } from '../../src/domain/events.ts';
import { EXAMPLES_DIR, loadExample } from '../../src/domain/examples.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { createProjectionContext } from '../../src/projection/context.ts';
import { project } from '../../src/projection/project.ts';
import { loadRoutingRules } from '../../src/projection/routing/load.ts';
import { testEndpoints, testKafka, uniqueName } from '../support/kafka-test-kit.ts';

export const GOOD_KEY = 'pk_e2egoodkey0123456789';
export const ROUTING_FILE = new URL('../../config/lead-routing.example.yaml', import.meta.url).pathname;
export const RESET_HOSTS = 'www.website.com';

export interface TestLayout {
  readonly sourceTopic: string;
  readonly outboundTopic: string;
  readonly projectorGroup: string;
  readonly dispatcherGroup: string;
}

export function uniqueLayout(prefix: string): TestLayout {
  return {
    sourceTopic: uniqueName(`e2e.${prefix}.events`),
    outboundTopic: uniqueName(`e2e.${prefix}.requests`),
    projectorGroup: uniqueName(`e2e-${prefix}-projector`),
    dispatcherGroup: uniqueName(`e2e-${prefix}-dispatcher`),
  };
}

/** The environment the relay runs with in a test (also handed to child processes in the crash test). */
export function relayEnv(layout: TestLayout, sandboxUrl: string, apiKey = GOOD_KEY): Record<string, string> {
  const endpoints = testEndpoints();
  return {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    KLAVIYO_API_KEY: apiKey,
    KLAVIYO_BASE_URL: sandboxUrl,
    RELAY_SOURCE_TOPICS: layout.sourceTopic,
    RELAY_OUTBOUND_TOPIC: layout.outboundTopic,
    RELAY_PROJECTOR_GROUP: layout.projectorGroup,
    RELAY_DISPATCHER_GROUP: layout.dispatcherGroup,
    RELAY_AUDIT_TOPIC: `${layout.outboundTopic}.audit`,
    RELAY_TOPIC_PARTITIONS: '2',
    RELAY_HTTP_HOST: '127.0.0.1',
    RELAY_HTTP_PORT: '0',
    RELAY_RESET_LINK_HOSTS: RESET_HOSTS,
    RELAY_LEAD_ROUTING_FILE: ROUTING_FILE,
    RELAY_SHUTDOWN_TIMEOUT_MS: '10000',
    // The examples are from 2023: keep them in the real-time lane's freshness rules as the guide sends them.
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
  };
}

export function relayConfig(env: Record<string, string>): Config {
  const result = loadConfig(env);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

export const quietLogger = createLogger({ level: 'silent' });

export function allExamples(): DomainEvent[] {
  const types = readdirSync(EXAMPLES_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.replace(/\.json$/, '') as DomainEventType);
  return types.map((type) => loadExample(type) as DomainEvent);
}

/** (metric, unique_id) the projection yields for `events`, in order, with Update Profile as `profile:<id>`. */
export async function expectedEvents(events: readonly DomainEvent[], config: Config): Promise<string[]> {
  const contextAt = createProjectionContext(config, await loadRoutingRules(ROUTING_FILE));
  return events.flatMap((event) => {
    const result = project(event, contextAt(Date.now()));
    if (!result.ok) throw new Error(`example ${event.type} does not project: ${result.error.message}`);
    return result.requests.flatMap((request) =>
      request.kind === 'create-event' ? [`${request.metric}|${request.uniqueId}`] : [],
    );
  });
}

/** Publishes domain events through the real codec (registering schemas) and raw poison between them. */
export async function publish(topic: string, items: readonly (DomainEvent | Buffer)[]): Promise<void> {
  const encoder = createEventEncoder({ registry: createRegistryClient({ url: testEndpoints().schemaRegistryUrl }) });
  const kafka = testKafka('e2e-publisher');
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // no duplicates from a retried send
  await producer.connect();
  try {
    const messages = [];
    for (const item of items) {
      if (Buffer.isBuffer(item)) messages.push({ key: 'poison', value: item, headers: { origin: 'e2e-poison' } });
      else messages.push({ key: item.data.eventId, value: (await encoder.encode(item, topic)).value });
    }
    // One partition: poison sits between good records in one ordered stream.
    await producer.send({ topic, messages: messages.map((message) => ({ ...message, partition: 0 })) });
  } finally {
    await producer.disconnect();
  }
}

/** A sandbox with Klaviyo's windows scaled down and `limits` for Create Event and profiles (bulk: Klaviyo's). */
export function scaledSandbox(
  windows: { readonly burstMs: number; readonly steadyMs: number },
  limits: { readonly perSecond: number; readonly perMinute: number },
): Promise<Sandbox> {
  return createSandbox({
    port: 0,
    host: '127.0.0.1',
    apiKeys: [GOOD_KEY],
    windows,
    limits: { events: limits, profiles: limits, bulk: { perSecond: 10, perMinute: 150 } },
  });
}

export { until } from '../support/until.ts';
