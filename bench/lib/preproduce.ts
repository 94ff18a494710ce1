/**
 * Fills the domain topics before a throughput run, fast: each distinct event is encoded once through the
 * real codec (registering its schema), then the pool is produced over and over in large batches without
 * compression until `count` records are on the topics.
 */
import { CompressionTypes, type Kafka, type Message } from 'kafkajs';
import { createEventEncoder } from '../../src/codec/encoder.ts';
import { createRegistryClient } from '../../src/codec/registry-client.ts';
import { identityKeyOf, type DomainEvent } from '../../src/domain/events.ts';

export interface PreproduceOptions {
  readonly kafka: Kafka;
  readonly registryUrl: string;
  readonly count: number;
  /** The distinct events to cycle through. */
  readonly pool: readonly DomainEvent[];
  readonly topicOf: (event: DomainEvent) => string;
}

export interface Preproduced {
  readonly records: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly perTopic: Readonly<Record<string, number>>;
}

const BATCH = 4_000;
const IN_FLIGHT = 3;

export async function preproduce(options: PreproduceOptions): Promise<Preproduced> {
  const encoder = createEventEncoder({ registry: createRegistryClient({ url: options.registryUrl }) });
  const encoded: { topic: string; message: Message; size: number }[] = [];
  for (const event of options.pool) {
    const topic = options.topicOf(event);
    const { value } = await encoder.encode(event, topic);
    encoded.push({ topic, message: { key: identityKeyOf(event), value }, size: value.length });
  }
  const producer = options.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  const perTopic: Record<string, number> = {};
  let bytes = 0;
  try {
    let next = 0;
    const sendOne = async (): Promise<void> => {
      while (next < options.count) {
        const from = next;
        const to = Math.min(options.count, from + BATCH);
        next = to;
        const byTopic = new Map<string, Message[]>();
        for (let i = from; i < to; i += 1) {
          const item = encoded[i % encoded.length]!;
          let messages = byTopic.get(item.topic);
          if (messages === undefined) byTopic.set(item.topic, (messages = []));
          messages.push(item.message);
          bytes += item.size;
          perTopic[item.topic] = (perTopic[item.topic] ?? 0) + 1;
        }
        await producer.sendBatch({
          acks: 1,
          compression: CompressionTypes.None,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, sendOne));
  } finally {
    await producer.disconnect();
  }
  return { records: options.count, bytes, seconds: (performance.now() - started) / 1_000, perTopic };
}
