// Small helpers for integration tests that talk to the real broker: the endpoints from the global setup,
// unique names so test files never share topics or groups, and "consume until" with a deadline.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Consumer, ConsumerConfig, EachMessagePayload, Kafka as KafkaClient } from 'kafkajs';
import { inject } from 'vitest';
import { waitForTopicLeaders } from '../../src/pipeline/topics.ts';

const { Kafka, logLevel } = kafkajs;

export function testEndpoints(): Readonly<{ kafkaBrokers: string; schemaRegistryUrl: string }> {
  return { kafkaBrokers: inject('kafkaBrokers'), schemaRegistryUrl: inject('schemaRegistryUrl') };
}

export function uniqueName(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

export function testKafka(clientId: string): KafkaClient {
  return new Kafka({
    clientId,
    brokers: testEndpoints().kafkaBrokers.split(','),
    logLevel: logLevel.ERROR,
    retry: { retries: 5, initialRetryTime: 100 },
  });
}

/**
 * A consumer tuned for tests: short fetch waits, so disconnect() does not sit out kafkajs' default 5 s
 * long poll, and the broker's minimum session timeout, so a crashed member is noticed quickly.
 */
export function testConsumer(kafka: KafkaClient, config: ConsumerConfig): Consumer {
  return kafka.consumer({ maxWaitTimeInMs: 200, heartbeatInterval: 500, sessionTimeout: 6000, ...config });
}

export async function createTopics(kafka: KafkaClient, topics: readonly string[], numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: false, topics: topics.map((topic) => ({ topic, numPartitions })) });
    await waitForTopicLeaders(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

export type Received = Readonly<{
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
}>;

/**
 * Subscribes, collects messages until `count` arrived (then keeps listening `settleMs` longer, to catch
 * records that should NOT be there), and disconnects. Rejects when `count` is not reached in time.
 */
export async function consumeUntil(
  consumer: Consumer,
  options: Readonly<{
    topics: readonly string[];
    count: number;
    timeoutMs?: number;
    settleMs?: number;
    onMessage?: (payload: EachMessagePayload) => Promise<void>;
  }>,
): Promise<Received[]> {
  const received: Received[] = [];
  const timeoutMs = options.timeoutMs ?? 30_000;
  let reached: () => void = () => undefined;
  const enough = new Promise<void>((resolve) => {
    reached = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run({
      eachMessage: async (payload) => {
        const { topic, partition, message } = payload;
        received.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
        });
        await options.onMessage?.(payload);
        if (received.length >= options.count) reached();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([enough.then(() => 'ok' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      throw new Error(`received ${received.length} of ${options.count} messages within ${timeoutMs} ms`);
    }
    if (options.settleMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    return received;
  } finally {
    await consumer.disconnect();
  }
}
