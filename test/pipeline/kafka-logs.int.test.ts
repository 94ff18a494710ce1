// kafkajs logs at sensible levels (issue 16), with entries kafkajs itself emits against the real broker:
// a protocol error answer it handles is detail, not an error; and no producer of the relay's client
// prints kafkajs's "switched default partitioner" notice.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createKafka } from '../../src/pipeline/kafka/client.ts';
import { testEndpoints, uniqueName } from '../support/kafka-test-kit.ts';

interface Line {
  readonly level: string;
  readonly msg: string;
  readonly kafkajs?: string;
}

describe('the relay kafkajs client', () => {
  it('logs a handled protocol error answer as debug and warns of no partitioner change', async () => {
    const loaded = loadConfig({
      KAFKA_BROKERS: testEndpoints().kafkaBrokers,
      SCHEMA_REGISTRY_URL: testEndpoints().schemaRegistryUrl,
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const lines: Line[] = [];
    const logger = createLogger({
      level: 'debug',
      destination: { write: (line: string) => lines.push(JSON.parse(line) as Line) },
    });
    const kafka = createKafka(loaded.config, logger);
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName('kafka-logs');
    try {
      await admin.createTopics({ topics: [{ topic }] });
      // The broker answers TOPIC_ALREADY_EXISTS; kafkajs logs the raw answer at ERROR, then handles it.
      await admin.createTopics({ topics: [{ topic }] });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
      await producer.disconnect();
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
    const answers = lines.filter((line) => line.kafkajs === 'Connection' && line.msg.startsWith('kafkajs: Response '));
    expect(answers.map((line) => line.msg)).toContain('kafkajs: Response CreateTopics(key: 19, version: 3)');
    expect(answers.every((line) => line.level === 'debug')).toBe(true);
    expect(lines.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    expect(lines.filter((line) => /partitioner/i.test(line.msg))).toEqual([]);
  });
});
