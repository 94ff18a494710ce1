/**
 * The fallback when Kafka transactions cannot be used (RELAY_PROJECTOR_TRANSACTIONS=false): one idempotent
 * producer, outbound requests and dead letters acknowledged by all in-sync replicas, and only then the
 * consumer offset committed. A crash between the two replays the records: at-least-once, made
 * effectively-once towards Klaviyo by the deterministic unique_ids.
 */
import { Partitioners, type Kafka, type Producer, type TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { TransactionPlan } from './batch-plan.ts';
import type { PartitionRef, PlanWriter } from './transactional-writer.ts';

export interface AtLeastOnceWriterOptions {
  readonly kafka: Kafka;
  /** The consumer's commitOffsets, injected because the consumer is created after the writer. */
  readonly commitOffsets: (offsets: TopicPartitionOffsetAndMetadata[]) => Promise<void>;
}

export function createAtLeastOnceWriter(options: AtLeastOnceWriterOptions): PlanWriter {
  let connected: Promise<Producer> | undefined;
  const producer = (): Promise<Producer> => {
    if (connected) return connected;
    const created = options.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const connecting = created.connect().then(() => created);
    connected = connecting;
    connecting.catch(() => {
      if (connected === connecting) connected = undefined;
    });
    return connecting;
  };
  return {
    async write(source: PartitionRef, plan: TransactionPlan) {
      if (plan.topicMessages.length > 0) {
        await (await producer()).sendBatch({ topicMessages: [...plan.topicMessages], acks: -1 });
      }
      await options.commitOffsets([{ topic: source.topic, partition: source.partition, offset: plan.commitOffset }]);
    },
    async retain() {
      // One shared producer: nothing is tied to a partition.
    },
    async close() {
      const current = connected;
      connected = undefined;
      if (current) await (await current).disconnect();
    },
  };
}
