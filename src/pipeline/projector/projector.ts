/**
 * The projector: domain topics → decode → validate → project → outbound topic, exactly once inside Kafka.
 * Each batch of one partition is cut into chunks; each chunk is one transaction holding its requests, its
 * dead letters and the offset after it. A record that needs a retry (registry down, a bug) ends the chunk
 * before it: what came before is committed, then the same record is tried again after a backoff, never
 * dead-lettered. A chunk also ends once its messages reach a byte budget, because the broker refuses a
 * batch over the topic's max.message.bytes (1 MB by default) and a refused chunk would be retried for ever.
 * Should the broker refuse one all the same, the batch goes on one record per transaction until the record
 * too large for its topic is found; that record is dead-lettered (OUTBOUND_TOO_LARGE), the partition moves
 * on. Stopping mid-batch leaves the rest uncommitted for the next owner.
 */
import type { Consumer, EachBatchPayload, Kafka, TopicPartitionOffsetAndMetadata } from 'kafkajs';
import type { UrgencyRules } from '../../klaviyo/urgency.ts';
import { RelayError, type RelayErrorCode } from '../../errors.ts';
import type { Logger } from '../../observability/logger.ts';
import type { RelayMetrics } from '../../observability/metrics.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from '../../backoff.ts';
import { isTooLargeForTopic } from '../kafka/error-cause.ts';
import { trackConsumer } from '../kafka/consumer-state.ts';
import type { RoleHandle } from '../role.ts';
import { sleep } from '../sleep.ts';
import { deadLetterTopic, toSourceRecord } from '../source-record.ts';
import { createAtLeastOnceWriter } from './at-least-once-writer.ts';
import { createPlanBuilder, type SettledOutcome, type SettledRecord } from './batch-plan.ts';
import type { DecodeRecord, ProjectEvent, TypedEvent } from './ports.ts';
import { processRecord } from './process-record.ts';
import { createTransactionalWriter, StalePositionError, type PlanWriter } from './transactional-writer.ts';

export interface ProjectorOptions<E extends TypedEvent> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly outboundTopic: string;
  /** Classes per metric: each request goes to its class's outbound topic (topics.ts `classTopic`). */
  readonly urgency?: UrgencyRules;
  readonly decode: DecodeRecord<E>;
  readonly project: ProjectEvent<E>;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  readonly serviceVersion: string;
  /** Literal secrets to scrub from dead-letter headers. */
  readonly secrets: readonly string[];
  /** false: idempotent produce, then commit (at-least-once). */
  readonly transactional: boolean;
  /** Records per transaction; smaller chunks commit sooner, larger ones amortise the commit. */
  readonly maxRecordsPerTransaction?: number;
  /**
   * A transaction ends after the record that brings its messages' key and value bytes to this. Kafka
   * checks each partition's batch against max.message.bytes; the whole transaction under it keeps every
   * batch under it too.
   */
  readonly maxTransactionBytes?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly now?: () => Date;
}

const UPDATE_PROFILE_METRIC = 'Update Profile';

export function createProjector<E extends TypedEvent>(options: ProjectorOptions<E>): RoleHandle {
  const log = options.logger.child({ role: 'projector' });
  const now = options.now ?? (() => new Date());
  const backoff = options.backoff ?? { ...DEFAULT_BACKOFF, capMs: 10_000 };
  const chunkSize = options.maxRecordsPerTransaction ?? 500;
  const maxBytes = options.maxTransactionBytes ?? 512 * 1024;
  const stopping = new AbortController();
  let retrying: string | undefined;
  /** The error code behind `retrying`: the registry's outage gets a readiness check (and an alert) of its own. */
  let retryingCode: RelayErrorCode | undefined;

  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    // A short long-poll keeps shutdown quick: consumer.stop() waits for the fetch in flight.
    maxWaitTimeInMs: 1_000,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    // Offsets are committed inside the transaction, not by the consumer.
    retry: { retries: 8 },
  });
  const writer: PlanWriter = options.transactional
    ? createTransactionalWriter({
        kafka: options.kafka,
        consumerGroup: options.groupId,
        logger: log,
        onTransaction: (outcome) => options.metrics.transactions.inc({ outcome }),
      })
    : createAtLeastOnceWriter({
        kafka: options.kafka,
        commitOffsets: (offsets: TopicPartitionOffsetAndMetadata[]) => consumer.commitOffsets(offsets),
      });
  const state = trackConsumer(consumer, log, (assigned) => {
    writer.retain(assigned).catch((error: unknown) => log.warn({ err: error }, 'releasing revoked producers failed'));
  });

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    const source = { topic: batch.topic, partition: batch.partition };
    let start = 0;
    let attempt = 0;
    let recordsPerChunk = chunkSize;
    /** Offsets whose requests the broker refused as too large, written alone: dead-lettered when met again. */
    const tooLarge = new Set<string>();
    while (start < batch.messages.length && payload.isRunning() && !payload.isStale() && !stopping.signal.aborted) {
      const settled: SettledRecord[] = [];
      const plan = createPlanBuilder({
        outboundTopic: options.outboundTopic,
        ...(options.urgency ? { urgency: options.urgency } : {}),
        consumerGroup: options.groupId,
        serviceVersion: options.serviceVersion,
        now: now(),
        secrets: options.secrets,
      });
      let retryError: RelayError | undefined;
      for (const message of batch.messages.slice(start, start + recordsPerChunk)) {
        const record = toSourceRecord(batch.topic, batch.partition, message);
        const outcome = await processRecord(record, options.decode, options.project);
        if (outcome.kind === 'retry') {
          retryError = outcome.error;
          break;
        }
        const entry = { record, outcome: tooLarge.has(record.offset) ? refusedAsTooLarge(outcome) : outcome };
        settled.push(entry);
        plan.add(entry);
        if (plan.bytes >= maxBytes) break;
      }
      if (settled.length > 0) {
        const transaction = plan.build();
        try {
          await writer.write(source, transaction);
        } catch (error) {
          if (error instanceof StalePositionError) {
            // The previous owner committed further than our fetch position: resume from its commit.
            log.info({ ...source, offset: error.committedOffset }, 'resuming after the previous owner');
            consumer.seek({ ...source, offset: error.committedOffset });
            return;
          }
          if (isTooLargeForTopic(error) && !tooLarge.has(transaction.firstOffset)) {
            // Not a failure to wait out: the same batch would be refused again. Alone, the record is
            // either written or known to be too large.
            if (settled.length === 1) tooLarge.add(transaction.firstOffset);
            recordsPerChunk = 1;
            log.warn(
              { ...source, offset: transaction.firstOffset, records: settled.length },
              'the broker refused a batch as too large; writing record by record',
            );
            continue;
          }
          attempt += 1;
          retrying = `writing to Kafka failed: ${error instanceof Error ? error.message : String(error)}`;
          retryingCode = 'KAFKA_UNAVAILABLE';
          options.metrics.retries.inc({ role: 'projector', code: 'KAFKA_UNAVAILABLE' });
          log.warn({ err: error, ...source, attempt }, 'transaction failed; retrying the chunk');
          await pauseBeforeRetry(payload, retryDelayMs(attempt - 1, undefined, backoff), stopping.signal);
          continue;
        }
        const last = settled[settled.length - 1]!;
        payload.resolveOffset(last.record.offset);
        start += settled.length;
        if (tooLarge.has(transaction.firstOffset)) recordsPerChunk = chunkSize;
        recordMetrics(options.metrics, batch.topic, settled);
        options.metrics.consumerLag.set(
          { group: options.groupId, topic: batch.topic, partition: String(batch.partition) },
          Number(BigInt(batch.highWatermark) - BigInt(transaction.commitOffset)),
        );
        if (retryError === undefined) {
          attempt = 0;
          retrying = undefined;
          retryingCode = undefined;
        }
      }
      if (retryError !== undefined) {
        attempt += 1;
        retrying = `${retryError.code}: ${retryError.message}`;
        retryingCode = retryError.code;
        options.metrics.retries.inc({ role: 'projector', code: retryError.code });
        log.warn({ err: retryError, code: retryError.code, ...source, attempt }, 'record needs a retry');
        await pauseBeforeRetry(payload, retryDelayMs(attempt - 1, retryError.retryAfterMs, backoff), stopping.signal);
      }
    }
  };

  return {
    name: 'projector',
    readiness: [
      { name: 'projector.kafka', check: state.problem },
      { name: 'projector.retrying', check: () => retrying },
      // Known when a record needs a schema the relay has not cached yet: that is when an outage stops the projector.
      { name: 'projector.registry', check: () => (retryingCode === 'REGISTRY_UNAVAILABLE' ? retrying : undefined) },
    ],
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 6,
        eachBatch,
      });
      log.info({ topics: options.topics, groupId: options.groupId, transactional: options.transactional }, 'started');
    },
    async stop() {
      stopping.abort();
      // consumer.stop() waits for the batch in flight; our loop ends at the next chunk boundary.
      await consumer.stop();
      await writer.close();
      await consumer.disconnect();
      log.info('stopped');
    },
  };
}

/** Sleeps in slices, heartbeating, so a long backoff does not cost the partition its group membership. */
async function pauseBeforeRetry(payload: EachBatchPayload, delayMs: number, signal: AbortSignal): Promise<void> {
  const until = Date.now() + delayMs;
  while (!signal.aborted && payload.isRunning() && Date.now() < until) {
    await sleep(Math.min(1_000, until - Date.now()), signal);
    await payload.heartbeat();
  }
}

/** A record whose requests the outbound topic refused even alone: its dead letter, with the original bytes. */
function refusedAsTooLarge(outcome: SettledOutcome): SettledOutcome {
  if (outcome.kind !== 'project') return outcome;
  const message = `the ${outcome.requests.length} Klaviyo request(s) of this ${outcome.eventType} are larger than the outbound topic accepts (max.message.bytes)`;
  return {
    kind: 'dead-letter',
    eventType: outcome.eventType,
    stage: 'project',
    error: new RelayError('OUTBOUND_TOO_LARGE', message),
    schemaId: undefined,
  };
}

function recordMetrics(metrics: RelayMetrics, topic: string, settled: readonly SettledRecord[]): void {
  for (const { outcome } of settled) {
    metrics.recordsConsumed.inc({ topic, type: outcome.eventType ?? 'undecodable' });
    if (outcome.kind === 'dead-letter') {
      metrics.deadLetters.inc({ topic: deadLetterTopic(topic), stage: outcome.stage, code: outcome.error.code });
      continue;
    }
    for (const request of outcome.requests) {
      metrics.requestsProjected.inc({
        metric: request.kind === 'create-event' ? request.metric : UPDATE_PROFILE_METRIC,
      });
    }
  }
}
