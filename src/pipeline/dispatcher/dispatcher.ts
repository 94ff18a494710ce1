/**
 * The dispatcher: klaviyo.requests (read_committed) → Klaviyo, at least once, in order per profile.
 * It commits only offsets whose requests Klaviyo accepted or that were dead-lettered (the dead letter
 * acknowledged first). A transient failure blocks that profile for the batch, pauses the partition and
 * resumes it after a backoff from the first unsettled offset; requests already delivered beyond it are
 * remembered and not sent again. 401/403 halts every partition and fails /readyz until a restart with a
 * fixed key; nothing is dead-lettered for it and nothing past it is committed.
 */
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { RelayError } from '../../errors.ts';
import type { KlaviyoRequest } from '../../klaviyo/request.ts';
import type { Logger } from '../../observability/logger.ts';
import type { RelayMetrics } from '../../observability/metrics.ts';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../../backoff.ts';
import { deadLetterMessage, type DeadLetterWriter } from '../dead-letter/message.ts';
import { trackConsumer, type AssignedPartition } from '../kafka/consumer-state.ts';
import { groupErrorCause } from '../kafka/group-errors.ts';
import { parseOutboundRecord } from '../outbound-record.ts';
import type { RoleHandle } from '../role.ts';
import { deadLetterTopic, toSourceRecord, type SourceRecord } from '../source-record.ts';
import { createCircuitBreaker } from './circuit-breaker.ts';
import { httpStatusOf } from '../../klaviyo/deliver/outcome.ts';
import { endpointFamily, type DeliverBatch, type DeliveryOutcome, type EndpointFamily } from './ports.ts';
import { commitOffsetAfter, nextWave, type WaveEntry } from './waves.ts';

export interface DispatcherOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topic: string;
  readonly deliver: DeliverBatch;
  readonly metrics: RelayMetrics;
  readonly logger: Logger;
  readonly serviceVersion: string;
  readonly secrets: readonly string[];
  /** Told the fraction of the outbound topic's partitions this instance holds, after every rebalance. */
  readonly onShareChange?: (fraction: number) => void;
  /** Most requests handed to the delivery engine at once (distinct profiles). */
  readonly maxWave?: number;
  readonly backoff?: BackoffPolicy;
  readonly breakerThreshold?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly now?: () => Date;
}

interface Pending {
  readonly record: SourceRecord;
  readonly request: KlaviyoRequest;
}

interface DeadLetter {
  readonly record: SourceRecord;
  readonly error: RelayError;
  readonly attempts: number;
}

export function createDispatcher(options: DispatcherOptions): RoleHandle {
  const log = options.logger.child({ role: 'dispatcher' });
  const now = options.now ?? (() => new Date());
  const maxWave = options.maxWave ?? 50;
  const breaker = createCircuitBreaker<EndpointFamily>({
    failureThreshold: options.breakerThreshold ?? 3,
    backoff: options.backoff ?? { ...DEFAULT_BACKOFF, capMs: 15_000 },
  });
  /** Offsets settled (delivered or dead-lettered) above the committed offset, per partition. */
  const settledAhead = new Map<number, Set<string>>();
  /** Delivery attempts per offset still unsettled, per partition (for the dead letter's attempts header). */
  const attempts = new Map<string, { count: number; firstFailedAt: Date }>();
  const resumeTimers = new Set<NodeJS.Timeout>();
  /** Aborted by stop(): every wait for a connection, a rate-limit slot or a backoff ends at once. */
  let stopping = new AbortController();
  /** eachBatch calls in progress: stop() lets them commit what Klaviyo accepted before kafkajs stops. */
  const activeBatches = new Set<Promise<void>>();
  let halted: RelayError | undefined;
  let totalPartitions = 0;

  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 1_000,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
  });
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const state = trackConsumer(consumer, log, (assigned) => onAssignment(assigned));

  function onAssignment(assigned: readonly AssignedPartition[]): void {
    const mine = assigned.filter((entry) => entry.topic === options.topic).map((entry) => entry.partition);
    for (const partition of settledAhead.keys()) if (!mine.includes(partition)) settledAhead.delete(partition);
    if (options.onShareChange && totalPartitions > 0) options.onShareChange(mine.length / totalPartitions);
    if (halted) consumer.pause([{ topic: options.topic }]);
  }

  const writer: DeadLetterWriter = {
    consumerGroup: options.groupId,
    serviceVersion: options.serviceVersion,
    secrets: options.secrets,
  };

  async function writeDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = now();
    await producer.send({
      topic: deadLetterTopic(options.topic),
      acks: -1,
      messages: letters.map(({ record, error, attempts: count }) =>
        deadLetterMessage(
          record,
          {
            stage: 'deliver',
            error,
            attempts: count,
            firstFailedAt: attempts.get(attemptKey(record))?.firstFailedAt ?? failedAt,
            failedAt,
          },
          writer,
        ),
      ),
    });
    for (const { error } of letters)
      options.metrics.deadLetters.inc({ topic: deadLetterTopic(options.topic), stage: 'deliver', code: error.code });
  }

  function recordOutcomeMetrics(request: KlaviyoRequest, outcome: DeliveryOutcome, seconds: number): void {
    const endpoint = endpointFamily(request);
    const status =
      outcome.httpStatus !== undefined
        ? String(outcome.httpStatus)
        : outcome.status === 'delivered'
          ? 'unknown'
          : outcome.error.code;
    options.metrics.klaviyoRequests.inc({ endpoint, status });
    options.metrics.deliveryDuration.observe({ endpoint }, seconds);
    if (outcome.status === 'delivered' && request.kind === 'create-event') {
      const occurred = Date.parse(request.source.occurredAt);
      if (Number.isFinite(occurred)) {
        options.metrics.endToEndLatency.observe({ metric: request.metric }, (Date.now() - occurred) / 1000);
      }
    }
  }

  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const run = processBatch(payload);
    activeBatches.add(run);
    try {
      await run;
    } finally {
      activeBatches.delete(run);
    }
  };

  const processBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (halted || stopping.signal.aborted || batch.messages.length === 0) return;
    const settled = settledAhead.get(batch.partition) ?? new Set<string>();
    settledAhead.set(batch.partition, settled);
    const records = batch.messages.map((message) => toSourceRecord(batch.topic, batch.partition, message));
    const entries: WaveEntry<Pending>[] = [];
    const malformed: DeadLetter[] = [];
    for (const record of records) {
      if (settled.has(record.offset)) continue;
      const parsed = parseOutboundRecord(record.value);
      if (parsed.ok) {
        entries.push({
          offset: record.offset,
          profileKey: parsed.request.profileKey,
          item: { record, request: parsed.request },
        });
      } else {
        malformed.push({ record, error: parsed.error, attempts: 1 });
      }
    }
    await writeDeadLetters(malformed);
    for (const letter of malformed) settled.add(letter.record.offset);

    const offsets = records.map((record) => record.offset);
    const firstOffset = offsets[0]!;
    let committed: string | undefined;
    let lastCommitAt = Date.now();
    const commitSettledPrefix = async (): Promise<void> => {
      lastCommitAt = Date.now();
      const commit = commitOffsetAfter(offsets, settled);
      if (commit === undefined || commit === firstOffset || commit === committed) return;
      await consumer
        .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: commit }])
        .catch((error: unknown) => {
          // Unwrapped, a group error makes kafkajs rejoin; wrapped, it would crash the consumer for good.
          throw groupErrorCause(error) ?? error;
        });
      payload.resolveOffset((BigInt(commit) - 1n).toString());
      committed = commit;
    };

    const blocked = new Set<string>();
    let retryDelay = 0;
    // Lost membership (the heartbeat failed) or a stop abandons what has not gone to Klaviyo yet.
    const lost = new AbortController();
    const signal = AbortSignal.any([stopping.signal, lost.signal]);
    let membershipError: unknown;
    while (payload.isRunning() && !payload.isStale() && !halted && !signal.aborted) {
      const wave = nextWave(entries, settled, blocked, maxWave);
      if (wave.length === 0) break;
      const sendable: WaveEntry<Pending>[] = [];
      const nowMs = Date.now();
      for (const entry of wave) {
        const openMs = breaker.remainingOpenMs(endpointFamily(entry.item.request), nowMs);
        if (openMs > 0) {
          blocked.add(entry.profileKey);
          retryDelay = Math.max(retryDelay, openMs);
        } else sendable.push(entry);
      }
      if (sendable.length === 0) continue;
      const started = process.hrtime.bigint();
      const oldest = Number(sendable[0]!.item.record.timestamp);
      // kafkajs heartbeats only when asked: a wave that waits a minute for Klaviyo's steady window must keep
      // the group membership alive meanwhile, or the broker evicts this member and the group rebalances.
      const keepAlive = setInterval(() => {
        payload.heartbeat().catch((error: unknown) => {
          membershipError ??= error;
          lost.abort();
        });
      }, KEEP_ALIVE_INTERVAL_MS);
      let outcomes: readonly DeliveryOutcome[];
      try {
        outcomes = await options.deliver(
          sendable.map((entry) => entry.item.request),
          {
            records: Number(BigInt(batch.highWatermark) - BigInt(sendable[0]!.offset)),
            oldestAgeMs: Number.isFinite(oldest) ? Math.max(0, Date.now() - oldest) : 0,
          },
          signal,
        );
      } finally {
        clearInterval(keepAlive);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const letters: DeadLetter[] = [];
      sendable.forEach((entry, index) => {
        const outcome: DeliveryOutcome = outcomes[index] ?? {
          status: 'retry-later',
          request: entry.item.request,
          error: missingOutcome(entry.item.request),
          retryAfterMs: 0,
          httpStatus: undefined,
        };
        const { request, record } = entry.item;
        if (outcome.status === 'retry-later' && outcome.error.code === 'DELIVERY_ABORTED') {
          // Never sent: not a Klaviyo failure, not an attempt. The profile waits for the next owner or batch.
          blocked.add(entry.profileKey);
          return;
        }
        const family = endpointFamily(request);
        recordOutcomeMetrics(request, outcome, seconds);
        const key = attemptKey(record);
        const tries = attempts.get(key) ?? { count: 0, firstFailedAt: now() };
        tries.count += 1;
        attempts.set(key, tries);
        switch (outcome.status) {
          case 'delivered':
            breaker.recordSuccess(family);
            settled.add(entry.offset);
            attempts.delete(key);
            break;
          case 'failed-permanently':
            breaker.recordSuccess(family);
            letters.push({ record, error: outcome.error, attempts: tries.count });
            break;
          case 'retry-later': {
            blocked.add(entry.profileKey);
            const delay = breaker.recordFailure(family, Date.now(), outcome.retryAfterMs ?? outcome.error.retryAfterMs);
            retryDelay = Math.max(retryDelay, delay);
            options.metrics.retries.inc({ role: 'dispatcher', code: outcome.error.code });
            break;
          }
          case 'halted':
            halted ??= outcome.error;
            break;
          default:
            outcome satisfies never;
        }
      });
      await writeDeadLetters(letters);
      for (const letter of letters) {
        settled.add(letter.record.offset);
        attempts.delete(attemptKey(letter.record));
      }
      // Commit as the settled prefix grows (at most every COMMIT_INTERVAL_MS), not only at the end of the
      // batch: a crash then redelivers seconds of work, not a whole slow batch.
      if (signal.aborted) break;
      if (Date.now() - lastCommitAt >= COMMIT_INTERVAL_MS) await commitSettledPrefix();
      await payload.heartbeat();
    }

    if (membershipError !== undefined) {
      // Worth a try: during a rebalance the generation is still valid and the delivered prefix can be kept.
      await commitSettledPrefix().catch(() => undefined);
      throw groupErrorCause(membershipError) ?? membershipError;
    }

    await commitSettledPrefix();
    const commit = committed;
    // Below the committed offset nothing is fetched again: forget it (only what lies beyond must be skipped).
    if (commit !== undefined)
      for (const offset of [...settled]) if (BigInt(offset) < BigInt(commit)) settled.delete(offset);
    options.metrics.consumerLag.set(
      { group: options.groupId, topic: batch.topic, partition: String(batch.partition) },
      Number(BigInt(batch.highWatermark) - BigInt(commit ?? firstOffset)),
    );
    if (halted) {
      haltEverything(halted);
      return;
    }
    const unfinished = commit === undefined || BigInt(commit) <= BigInt(records[records.length - 1]!.offset);
    if (unfinished && payload.isRunning()) {
      const resume = payload.pause();
      const delay = Math.max(retryDelay, 100);
      log.warn(
        { partition: batch.partition, from: commit ?? firstOffset, delayMs: delay },
        'partition paused for retry',
      );
      const timer = setTimeout(() => {
        resumeTimers.delete(timer);
        if (!halted) resume();
      }, delay);
      resumeTimers.add(timer);
    }
  };

  function haltEverything(error: RelayError): void {
    options.metrics.halted.set(1);
    log.fatal({ code: error.code, status: httpStatusOf(error), detail: error.detail }, haltMessage(error));
    consumer.pause([{ topic: options.topic }]);
  }

  return {
    name: 'dispatcher',
    readiness: [
      { name: 'dispatcher.kafka', check: state.problem },
      {
        name: 'dispatcher.halted',
        check: () => (halted ? `halted: ${halted.code}: ${haltMessage(halted)}` : undefined),
      },
    ],
    async start() {
      options.metrics.halted.set(0);
      stopping = new AbortController();
      const admin = options.kafka.admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: [options.topic] });
        totalPartitions = metadata.topics[0]?.partitions.length ?? 0;
      } finally {
        await admin.disconnect();
      }
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [options.topic], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3,
        eachBatch,
      });
      log.info({ topic: options.topic, groupId: options.groupId, totalPartitions }, 'started');
    },
    async stop() {
      // First end the waits (rate limiter, connections, backoff) and let the batches commit what Klaviyo
      // accepted: once kafkajs's stop begins, it drops commits. Requests already on the wire finish first.
      stopping.abort();
      await Promise.allSettled([...activeBatches]);
      for (const timer of resumeTimers) clearTimeout(timer);
      resumeTimers.clear();
      await consumer.stop();
      await consumer.disconnect();
      await producer.disconnect();
      log.info('stopped');
    },
  };
}

const COMMIT_INTERVAL_MS = 500;
/** How often a waiting wave asks kafkajs to heartbeat; kafkajs sends one per its heartbeatInterval (3 s). */
const KEEP_ALIVE_INTERVAL_MS = 1_000;

function attemptKey(record: SourceRecord): string {
  return `${record.partition}:${record.offset}`;
}

function missingOutcome(request: KlaviyoRequest): RelayError {
  // A delivery engine that returns fewer outcomes than requests is a bug: retry, never lose the request.
  return new RelayError('INTERNAL', `the delivery engine returned no outcome for ${request.requestId}`);
}

/** What a halt means for the operator, by its cause: both are fixed by the key and a restart. */
function haltMessage(error: RelayError): string {
  return error.code === 'HTTP_CLIENT_REFUSED'
    ? `the HTTP client refused to send (${error.message}): delivery halted for all partitions, nothing dead-lettered; check KLAVIYO_API_KEY (no whitespace or control characters) and restart`
    : 'Klaviyo refused our credentials: delivery halted for all partitions, nothing dead-lettered; fix KLAVIYO_API_KEY and restart';
}
