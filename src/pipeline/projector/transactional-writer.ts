/**
 * Writes one TransactionPlan atomically: outbound requests, dead letters and the consumer offset in one
 * Kafka transaction (consume-transform-produce, KIP-98). One idempotent transactional producer per input
 * partition, with a transactional id derived from group, topic and partition: when a partition moves to
 * another instance, that instance's InitProducerId bumps the epoch and fences the old owner (a zombie that
 * wakes up after a GC pause can no longer commit). Producers are created lazily and released on revocation.
 *
 * After a rebalance a new owner's start offset may be stale: it read the offset when it joined the group,
 * but fences the old owner only at its first transaction, so whatever a zombie committed in between would
 * be written again. So the first transaction of every partition after a rebalance re-reads the group's
 * committed offset after InitProducerId (which completes or aborts whatever the old owner had open) and,
 * when the group got further than this plan starts, aborts and reports where to resume
 * (StalePositionError): the pre-KIP-447 recipe of Kafka Streams. (kafkajs's own offset cache is shared by
 * every client of one Kafka instance and updated by sendOffsets, so this instance's commits are seen.)
 *
 * Any failure inside a transaction aborts it and throws away the producer: the next attempt starts from a
 * fresh InitProducerId, which also aborts whatever the broker still holds open for that id. This sidesteps
 * kafkajs's client-side transaction state machine getting stuck after an error.
 */
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from '../../observability/logger.ts';
import type { TransactionPlan } from './batch-plan.ts';

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface PlanWriter {
  /** Writes the plan and commits the source offset, atomically (or at least once, by implementation). */
  write(source: PartitionRef, plan: TransactionPlan): Promise<void>;
  /** Keeps only the producers of these partitions (called after every rebalance). */
  retain(assigned: readonly PartitionRef[]): Promise<void>;
  close(): Promise<void>;
}

export interface TransactionalWriterOptions {
  readonly kafka: Kafka;
  readonly consumerGroup: string;
  readonly logger: Logger;
  /** Called with 'committed' | 'aborted' | 'failed' for every transaction, for metrics. */
  readonly onTransaction?: (outcome: 'committed' | 'aborted' | 'failed') => void;
  /** Broker-side transaction timeout; a crashed owner's open transaction is aborted after this. */
  readonly transactionTimeoutMs?: number;
}

/** The old owner of a partition committed past this plan's start: resume from `committedOffset`. */
export class StalePositionError extends Error {
  override readonly name = 'StalePositionError';
  readonly committedOffset: string;
  constructor(source: PartitionRef, firstOffset: string, committedOffset: string) {
    super(
      `${source.topic}[${source.partition}]: the previous owner committed up to ${committedOffset}, past ${firstOffset}`,
    );
    this.committedOffset = committedOffset;
  }
}

export function transactionalId(group: string, source: PartitionRef): string {
  return `${group}.${source.topic}.${source.partition}`;
}

export function createTransactionalWriter(options: TransactionalWriterOptions): PlanWriter {
  const producers = new Map<string, Promise<Producer>>();
  /** Partitions whose position has been checked against the committed offset since the last rebalance. */
  let confirmed = new Set<string>();
  const keyOf = (source: PartitionRef): string => `${source.topic}\u0000${source.partition}`;

  const acquire = (source: PartitionRef): Promise<Producer> => {
    const key = keyOf(source);
    const existing = producers.get(key);
    if (existing) return existing;
    const producer = options.kafka.producer({
      transactionalId: transactionalId(options.consumerGroup, source),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      transactionTimeout: options.transactionTimeoutMs ?? 60_000,
      // Starting the next transaction while the coordinator still writes the last one's markers is answered
      // CONCURRENT_TRANSACTIONS, routinely, once per chunk. kafkajs retries it on the producer's retry policy,
      // whose 300 ms first backoff idled the projector most of the time (bench/projector.ts); the Java
      // client retries it after 20 ms. Other failures still end in the projector's own backoff and retry.
      // `retries` stays kafkajs's default (5): setting it below MAX_SAFE_INTEGER on an idempotent producer
      // logs an EoS warning per producer, and an unlimited count would hide a broker outage from readiness.
      retry: { initialRetryTime: 25, maxRetryTime: 2_000 },
    });
    const connecting = producer.connect().then(() => producer);
    producers.set(key, connecting);
    // A failed connect must not poison the pool: forget it so the next attempt reconnects.
    connecting.catch(() => {
      if (producers.get(key) === connecting) producers.delete(key);
    });
    return connecting;
  };

  const discard = async (source: PartitionRef): Promise<void> => {
    const key = keyOf(source);
    const entry = producers.get(key);
    producers.delete(key);
    if (!entry) return;
    try {
      await (await entry).disconnect();
    } catch (error) {
      options.logger.debug({ err: error, ...source }, 'disconnecting a discarded transactional producer failed');
    }
  };

  return {
    async write(source, plan) {
      const producer = await acquire(source);
      // InitProducerId runs here on a fresh producer: from now on the old owner can no longer commit.
      const transaction = await producer.transaction();
      try {
        if (!confirmed.has(keyOf(source))) {
          const committed = await committedOffset(options.kafka, options.consumerGroup, source);
          if (committed !== undefined && BigInt(committed) > BigInt(plan.firstOffset)) {
            throw new StalePositionError(source, plan.firstOffset, committed);
          }
          confirmed.add(keyOf(source));
        }
        if (plan.topicMessages.length > 0) {
          await transaction.sendBatch({ topicMessages: [...plan.topicMessages], acks: -1 });
        }
        await transaction.sendOffsets({
          consumerGroupId: options.consumerGroup,
          topics: [{ topic: source.topic, partitions: [{ partition: source.partition, offset: plan.commitOffset }] }],
        });
        await transaction.commit();
        options.onTransaction?.('committed');
      } catch (error) {
        let aborted = false;
        try {
          if (transaction.isActive()) {
            await transaction.abort();
            aborted = true;
          }
        } catch (abortError) {
          options.logger.warn({ err: abortError, ...source }, 'aborting the failed transaction failed too');
        }
        options.onTransaction?.(aborted ? 'aborted' : 'failed');
        // A stale position is no failure of the producer: it stays, fenced in and ready.
        if (!(error instanceof StalePositionError)) await discard(source);
        throw error;
      }
    },
    async retain(assigned) {
      // A rebalance: every partition's start offset must be checked again (see above). Synchronous, so no
      // write of the new generation can slip in before it.
      confirmed = new Set();
      const keep = new Set(assigned.map(keyOf));
      const revoked = [...producers.keys()].filter((key) => !keep.has(key));
      await Promise.all(
        revoked.map((key) => {
          const [topic = '', partition = '0'] = key.split('\u0000');
          return discard({ topic, partition: Number(partition) });
        }),
      );
    },
    async close() {
      await Promise.all(
        [...producers.keys()].map((key) => {
          const [topic = '', partition = '0'] = key.split('\u0000');
          return discard({ topic, partition: Number(partition) });
        }),
      );
    },
  };
}

async function committedOffset(kafka: Kafka, groupId: string, source: PartitionRef): Promise<string | undefined> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [source.topic] });
    const offset = entry?.partitions.find((partition) => partition.partition === source.partition)?.offset;
    return offset === undefined || offset === '-1' ? undefined : offset;
  } finally {
    await admin.disconnect();
  }
}
