/** A dlq context on the real broker, with topics of its own, for the dlq integration tests. */
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { loadConfig, type Config } from '../../src/config/config.ts';
import type { DlqContext } from '../../src/dlq/operations.ts';
import type { SchemaReader } from '../../src/dlq/schema-names.ts';
import { createSchemaReader } from '../../src/dlq/schema-names.ts';
import { createTopics, testEndpoints, testKafka, uniqueName } from '../support/kafka-test-kit.ts';

export interface DlqWorld {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly config: Config;
  readonly env: Record<string, string>;
  readonly sourceTopic: string;
  readonly dlqTopic: string;
  readonly progress: string[];
  context(actor?: string): DlqContext;
  close(): Promise<void>;
}

export async function createDlqWorld(partitions = 2): Promise<DlqWorld> {
  const sourceTopic = uniqueName('dlqtest.source');
  const dlqTopic = `${sourceTopic}.dlq`;
  const endpoints = testEndpoints();
  const env = {
    KAFKA_BROKERS: endpoints.kafkaBrokers,
    SCHEMA_REGISTRY_URL: endpoints.schemaRegistryUrl,
    RELAY_AUDIT_TOPIC: uniqueName('dlqtest.audit'),
    RELAY_OUTBOUND_TOPIC: uniqueName('dlqtest.requests'),
    RELAY_MAX_REPLAYS: '3',
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const kafka = testKafka('dlq-test');
  await createTopics(kafka, [sourceTopic, dlqTopic, env.RELAY_OUTBOUND_TOPIC], partitions);
  const admin = kafka.admin();
  await admin.connect();
  const schemas: SchemaReader = createSchemaReader(loaded.config);
  const progress: string[] = [];
  return {
    kafka,
    admin,
    config: loaded.config,
    env,
    sourceTopic,
    dlqTopic,
    progress,
    context: (actor = 'tester') => ({
      kafka,
      admin,
      config: loaded.config,
      schemas,
      now: () => Date.now(),
      actor,
      host: 'test-host',
      command: ['dlq', 'test'],
      progress: { write: (text) => progress.push(text), isTTY: false },
    }),
    close: () => admin.disconnect(),
  };
}

export async function produce(
  kafka: Kafka,
  topic: string,
  messages: readonly { key: string; value: Buffer; headers: IHeaders; partition: number }[],
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [...messages] });
  await producer.disconnect();
}
