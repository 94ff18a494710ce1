/**
 * The dispatcher: klaviyo.requests, .high and .urgent (read_committed) → Klaviyo, at least once, in order
 * per profile. Each request's class reaches the limiter through the delivery engine, which serves the
 * higher class first; each eachBatch call yields after BATCH_SLICE_MS so that kafkajs fetches again and a
 * new urgent record is read within about a second, not after a whole backlog.
 *
 * Each partition it owns has a ledger (ledger.ts): the requests fetched and not yet settled. Waves of
 * requests, one per profile, go to the delivery engine; what Klaviyo accepted or what was dead-lettered
 * (the dead letter acknowledged first) is settled, and the settled prefix is committed at least every
 * RELAY_COMMIT_INTERVAL_MS, so a crash re-sends about that much plus what was in flight.
 *
 * A request that keeps failing transiently (RELAY_RETRY_HANDOFF_ATTEMPTS or _AFTER_MS) while its endpoint
 * family is otherwise healthy leaves the head of its partition for the retry topic (`<topic>.retry`,
 * same partition number), together with the rest of its profile's requests, and every later request of
 * that profile follows it there until the retry topic holds none of that profile: the committed offset
 * moves on, the profile's order holds. The same member owns partition p of both topics (co-partitioned
 * assignment), so it knows which profiles have a request waiting there. A retry record waits until its
 * next-attempt time; one still failing after RELAY_RETRY_MAX_AGE_MS is dead-lettered (DELIVERY_EXPIRED).
 *
 * A Klaviyo-wide failure trips the circuit breaker of its endpoint family instead: nothing is handed off,
 * nothing is sent but one probe per backoff. 401/403, and a request the HTTP client refuses to send,
 * halt every partition and fail /readyz until a restart; nothing is dead-lettered for them.
 */
import { Partitioners, type Consumer, type EachBatchPayload, type Kafka, type Producer } from 'kafkajs';
import { RelayError } from '../../errors.ts';
import { httpStatusOf } from '../../klaviyo/deliver/outcome.ts';
import type { KlaviyoRequest } from '../../klaviyo/request.ts';
import { DEFAULT_URGENCY_RULES, URGENCY_CLASSES, type UrgencyRules } from '../../klaviyo/urgency.ts';
import type { Logger } from '../../observability/logger.ts';
import type { RelayMetrics } from '../../observability/metrics.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from '../../backoff.ts';
import { deadLetterMessage, type DeadLetterWriter } from '../dead-letter/message.ts';
import { CoPartitionedAssigner } from '../kafka/co-partitioned-assigner.ts';
import { trackConsumer, type AssignedPartition } from '../kafka/consumer-state.ts';
import { groupErrorCause } from '../kafka/group-errors.ts';
import { parseOutboundRecord } from '../outbound-record.ts';
import type { RoleHandle } from '../role.ts';
import { deadLetterTopic, toSourceRecord, type SourceRecord } from '../source-record.ts';
import { outboundTopics as outboundTopicsOf, partitionCount, retryTopic } from '../topics.ts';
import { createCircuitBreaker } from './circuit-breaker.ts';
import { addClassBacklog, classInQueue, emptyClassBacklog, type Waiting } from './class-backlog.ts';
import {
  createPartitionLedger,
  isExpired,
  shouldHandOff,
  type HandOffPolicy,
  type LedgerEntry,
  type LedgerRecord,
  type PartitionLedger,
} from './ledger.ts';
import { endpointFamily, type DeliverBatch, type DeliveryOutcome, type EndpointFamily } from './ports.ts';
import { originalRecord, readRetryRecord, retryMessage, type Origin } from './retry-record.ts';

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
  /** When a failing request leaves the head of its outbound partition for the retry topic. */
  readonly handOff?: HandOffPolicy;
  /** A request still failing this long after its first failure is dead-lettered. Default 24 h. */
  readonly retryMaxAgeMs?: number;
  /** Commit the settled prefix at least this often. Default 1 s. */
  readonly commitIntervalMs?: number;
  /** Readiness reports the backlog once a partition's oldest unsettled request is older. Default 5 min. */
  readonly backlogDegradedAgeMs?: number;
  /** Requests held per partition before it stops admitting more. */
  readonly maxUnsettledPerPartition?: number;
  /** Each request's own backoff between attempts. Default 200 ms doubling up to 60 s, full jitter. */
  readonly retryBackoff?: BackoffPolicy;
  /** Urgency classes (config.relay.urgency), for the per-class metrics; default: the guide's. */
  readonly urgency?: UrgencyRules;
  /** How often the per-class backlog gauges are refreshed. Default 1 s. */
  readonly classMetricsIntervalMs?: number;
  readonly now?: () => Date;
}

/** One request the dispatcher holds: the record as read, the request in it, where it was first read. */
interface Held {
  readonly record: SourceRecord;
  /** Undefined for a record that is not a Klaviyo request (dead-lettered as MALFORMED_REQUEST). */
  readonly request: KlaviyoRequest | undefined;
  readonly malformed?: RelayError;
  readonly origin: Origin;
  /** The last transient failure, carried to the retry topic's headers. */
  lastCode: string | undefined;
  lastStatus: number | undefined;
}

interface DeadLetter {
  readonly entry: LedgerEntry<Held>;
  readonly error: RelayError;
}

export function createDispatcher(options: DispatcherOptions): RoleHandle {
  const log = options.logger.child({ role: 'dispatcher' });
  const now = options.now ?? (() => new Date());
  const maxWave = options.maxWave ?? 50;
  const handOff = options.handOff ?? { attempts: 3, afterMs: 5_000 };
  const retryMaxAgeMs = options.retryMaxAgeMs ?? 86_400_000;
  const commitIntervalMs = options.commitIntervalMs ?? 1_000;
  const degradedAgeMs = options.backlogDegradedAgeMs ?? 300_000;
  const maxUnsettled = options.maxUnsettledPerPartition ?? 10_000;
  const retryBackoff = options.retryBackoff ?? { baseMs: DEFAULT_BACKOFF.baseMs, capMs: 60_000 };
  const breaker = createCircuitBreaker<EndpointFamily>({
    failureThreshold: options.breakerThreshold ?? 3,
    backoff: options.backoff ?? { ...DEFAULT_BACKOFF, capMs: 15_000 },
  });
  // One outbound topic per class group (topics.ts `outboundTopics`), each with its own retry topic.
  const outboundTopics = outboundTopicsOf(options.topic);
  const retryOf = new Map(outboundTopics.map((topic) => [topic, retryTopic(topic)]));
  const outboundOfRetry = new Map(outboundTopics.map((topic) => [retryTopic(topic), topic]));
  const ledgers = new Map<string, PartitionLedger<Held>>();
  /**
   * Per retry partition: requests handed off and not yet read back from it, by profile (so a profile's
   * next request follows its earlier one even before the retry partition is read again).
   */
  const handedOff = new Map<string, Map<string, number>>();
  /** Per retry partition: the offset up to which it must be read before its outbound partition may go on. */
  const retryCatchUp = new Map<string, { target: bigint | undefined; since: number }>();
  const resumeTimers = new Set<NodeJS.Timeout>();
  const wakeTimers = new Map<string, NodeJS.Timeout>();
  /** Aborted by stop(): every wait for a connection, a rate-limit slot or a backoff ends at once. */
  let stopping = new AbortController();
  /** eachBatch calls in progress: stop() lets them commit what Klaviyo accepted before kafkajs stops. */
  const activeBatches = new Set<Promise<void>>();
  let halted: RelayError | undefined;
  let haltReported = false;
  let totalPartitions = 0;
  /** Endpoint families whose tripped breaker has a probe on the wire: one at a time, across partitions. */
  const probes = new Set<EndpointFamily>();
  const urgency = options.urgency ?? DEFAULT_URGENCY_RULES;
  let classMetricsTimer: NodeJS.Timeout | undefined;

  const consumer: Consumer = options.kafka.consumer({
    groupId: options.groupId,
    readUncommitted: false,
    maxWaitTimeInMs: 1_000,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    partitionAssigners: [CoPartitionedAssigner],
  });
  const producer: Producer = options.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const admin = options.kafka.admin();
  const state = trackConsumer(consumer, log, (assigned) => onAssignment(assigned));

  function onAssignment(assigned: readonly AssignedPartition[]): void {
    const mine = new Set(assigned.map((entry) => tpKey(entry.topic, entry.partition)));
    for (const key of [...ledgers.keys()]) {
      if (mine.has(key)) continue;
      const ledger = ledgers.get(key)!;
      ledgers.delete(key);
      handedOff.delete(key);
      retryCatchUp.delete(key);
      options.metrics.unsettledRequests.remove({ topic: ledger.topic, partition: String(ledger.partition) });
      options.metrics.oldestUnsettledAge.remove({ topic: ledger.topic, partition: String(ledger.partition) });
    }
    for (const { topic, partition } of assigned) {
      if (!outboundOfRetry.has(topic)) continue;
      const key = tpKey(topic, partition);
      if (!retryCatchUp.has(key)) {
        retryCatchUp.set(key, { target: undefined, since: Date.now() });
        void findRetryTarget(topic, partition);
      }
    }
    const outbound = assigned.filter((entry) => entry.topic === options.topic).length;
    if (options.onShareChange && totalPartitions > 0) options.onShareChange(outbound / totalPartitions);
    if (halted) consumer.pause(assigned.map(({ topic }) => ({ topic })));
  }

  /**
   * How far a retry partition must be read before this member knows every profile waiting in it: its end
   * when the partition was assigned. Until then its outbound partition waits (a few hundred ms).
   */
  async function findRetryTarget(topic: string, partition: number): Promise<void> {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      const end = offsets.find((entry) => entry.partition === partition)?.high ?? '0';
      const committed = await admin.fetchOffsets({ groupId: options.groupId, topics: [topic] });
      const at = committed[0]?.partitions.find((entry) => entry.partition === partition)?.offset ?? '-1';
      const from = BigInt(at) < 0n ? 0n : BigInt(at);
      const entry = retryCatchUp.get(tpKey(topic, partition));
      if (entry) entry.target = BigInt(end) > from ? BigInt(end) : 0n;
    } catch (error) {
      log.warn({ err: error, topic, partition }, 'could not read the retry partition’s end; trying again');
      const timer = setTimeout(() => {
        resumeTimers.delete(timer);
        if (retryCatchUp.has(tpKey(topic, partition))) void findRetryTarget(topic, partition);
      }, 1_000);
      resumeTimers.add(timer);
    }
  }

  function retryCaughtUp(topic: string, partition: number): boolean {
    const entry = retryCatchUp.get(tpKey(topic, partition));
    if (!entry || entry.target === undefined) return false;
    if (entry.target === 0n) return true;
    const next = ledgers.get(tpKey(topic, partition))?.nextOffset();
    if (next !== undefined && next >= entry.target) {
      entry.target = 0n;
      return true;
    }
    return false;
  }

  /** Whether `profileKey` has a request waiting in the retry partition paired with this outbound one. */
  function waitsInRetry(outboundTopic: string, partition: number, profileKey: string): boolean {
    const key = tpKey(retryOf.get(outboundTopic)!, partition);
    return (ledgers.get(key)?.hasProfile(profileKey) ?? false) || (handedOff.get(key)?.has(profileKey) ?? false);
  }

  const writer: DeadLetterWriter = {
    consumerGroup: options.groupId,
    serviceVersion: options.serviceVersion,
    secrets: options.secrets,
  };

  /** Every outbound topic dead-letters to the base topic's `.dlq`: one place for the replay tool. */
  async function writeDeadLetters(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const failedAt = now();
    const topic = deadLetterTopic(options.topic);
    await producer.send({
      topic,
      acks: -1,
      messages: letters.map(({ entry, error }) =>
        deadLetterMessage(
          originalRecord(entry.item.record, entry.item.origin),
          {
            stage: 'deliver',
            error,
            attempts: Math.max(1, entry.attempts),
            firstFailedAt: entry.firstFailedAtMs === undefined ? failedAt : new Date(entry.firstFailedAtMs),
            failedAt,
          },
          writer,
        ),
      ),
    });
    for (const { error } of letters) options.metrics.deadLetters.inc({ topic, stage: 'deliver', code: error.code });
  }

  /** Hands `entries` (one profile's, in order) to the retry partition paired with their outbound one. */
  async function handToRetry(
    outboundTopic: string,
    partition: number,
    entries: readonly LedgerEntry<Held>[],
    nowMs: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    const topic = retryOf.get(outboundTopic)!;
    const pending = handedOff.get(tpKey(topic, partition)) ?? new Map<string, number>();
    handedOff.set(tpKey(topic, partition), pending);
    for (const entry of entries) pending.set(entry.profileKey, (pending.get(entry.profileKey) ?? 0) + 1);
    await producer.send({
      topic,
      acks: -1,
      messages: entries.map((entry) => ({
        ...retryMessage(entry.item.record, entry.item.origin, {
          attempts: entry.attempts,
          notBeforeMs: Math.max(entry.notBeforeMs, nowMs),
          firstFailedAtMs: entry.firstFailedAtMs,
          lastCode: entry.item.lastCode,
          lastStatus: entry.item.lastStatus,
        }),
        partition,
      })),
    });
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

  function ledgerFor(topic: string, partition: number): PartitionLedger<Held> {
    const key = tpKey(topic, partition);
    let ledger = ledgers.get(key);
    if (!ledger) {
      ledger = createPartitionLedger<Held>(topic, partition);
      ledgers.set(key, ledger);
    }
    return ledger;
  }

  /** The batch's records as ledger records: parsed, with their retry state when read from a retry topic. */
  function toLedgerRecords(payload: EachBatchPayload, isRetry: boolean): LedgerRecord<Held>[] {
    const { batch } = payload;
    return batch.messages.map((message) => {
      const record = toSourceRecord(batch.topic, batch.partition, message);
      const retry = isRetry ? readRetryRecord(record) : undefined;
      const origin = retry?.origin ?? {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        timestamp: record.timestamp,
      };
      const parsed = parseOutboundRecord(record.value);
      const timestampMs = Number(origin.timestamp);
      return {
        offset: record.offset,
        // A record that is no request holds up no one: a profile of its own.
        profileKey: parsed.ok ? parsed.request.profileKey : `\u0000malformed:${record.offset}`,
        item: {
          record,
          request: parsed.ok ? parsed.request : undefined,
          ...(parsed.ok ? {} : { malformed: parsed.error }),
          origin,
          lastCode: retry?.state.lastCode,
          lastStatus: retry?.state.lastStatus,
        },
        timestampMs: Number.isFinite(timestampMs) ? timestampMs : Date.now(),
        ...(retry
          ? {
              notBeforeMs: retry.state.notBeforeMs,
              attempts: retry.state.attempts,
              ...(retry.state.firstFailedAtMs === undefined ? {} : { firstFailedAtMs: retry.state.firstFailedAtMs }),
            }
          : {}),
      };
    });
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

  function pauseFor(payload: EachBatchPayload, delayMs: number): void {
    if (!payload.isRunning()) return;
    const resume = payload.pause();
    const timer = setTimeout(() => {
      resumeTimers.delete(timer);
      if (!halted) resume();
    }, delayMs);
    resumeTimers.add(timer);
  }

  const processBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch } = payload;
    if (halted || stopping.signal.aborted || batch.messages.length === 0) return;
    const outboundTopic = outboundOfRetry.get(batch.topic) ?? batch.topic;
    const isRetry = outboundOfRetry.has(batch.topic);
    // An outbound partition waits until its retry partition has been read: only then does it know
    // which profiles have a request waiting there.
    if (!isRetry && !retryCaughtUp(retryOf.get(outboundTopic)!, batch.partition)) {
      pauseFor(payload, 200);
      return;
    }
    const ledger = ledgerFor(batch.topic, batch.partition);
    const fresh = toLedgerRecords(payload, isRetry);
    const before = ledger.nextOffset();
    ledger.admit(fresh, maxUnsettled - ledger.size());
    const after = ledger.nextOffset();
    // A retry partition is read on past what waits in it (the ledger holds those), so that whatever lies
    // behind a request failing for ever is still read; a timer brings the waiting ones back (wakeRetry).
    // An outbound partition is fetched again from its commit point: its head leaves within seconds.
    const full = before === after && fresh.some((record) => after === undefined || BigInt(record.offset) >= after);
    if (isRetry && after !== undefined) payload.resolveOffset((after - 1n).toString());
    if (isRetry) {
      // Read back: no longer "handed off, not yet seen".
      const pending = handedOff.get(tpKey(batch.topic, batch.partition));
      for (const record of fresh) {
        const offset = BigInt(record.offset);
        if ((before !== undefined && offset < before) || after === undefined || offset >= after) continue;
        const count = pending?.get(record.profileKey);
        if (count === undefined) continue;
        if (count <= 1) pending!.delete(record.profileKey);
        else pending!.set(record.profileKey, count - 1);
      }
    }

    let committed = ledger.commitPoint();
    let lastCommitAt = Date.now();
    const commit = async (): Promise<void> => {
      lastCommitAt = Date.now();
      const point = ledger.commitPoint();
      if (point === undefined || point === committed) return;
      await consumer
        .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: point.toString() }])
        .catch((error: unknown) => {
          // Unwrapped, a group error makes kafkajs rejoin; wrapped, it would crash the consumer for good.
          throw groupErrorCause(error) ?? error;
        });
      if (!isRetry) payload.resolveOffset((point - 1n).toString());
      committed = point;
    };

    // Lost membership (the heartbeat failed) or a stop abandons what has not gone to Klaviyo yet.
    const lost = new AbortController();
    const signal = AbortSignal.any([stopping.signal, lost.signal]);
    let membershipError: unknown;
    let retryDelay = 0;
    let aborted = false;
    const sliceStarted = Date.now();
    while (payload.isRunning() && !payload.isStale() && !halted && !signal.aborted && !aborted) {
      const nowMs = Date.now();
      // Records that are no request, and requests whose profile waits in the retry topic, leave first.
      const malformed: DeadLetter[] = [];
      const followers = new Map<string, LedgerEntry<Held>[]>();
      for (const profileKey of [...ledger.profiles()]) {
        const entries = ledger.entriesOf(profileKey);
        const head = entries[0]!;
        if (head.item.malformed) malformed.push({ entry: head, error: head.item.malformed });
        else if (!isRetry && waitsInRetry(outboundTopic, batch.partition, profileKey))
          followers.set(profileKey, entries);
      }
      await writeDeadLetters(malformed);
      for (const { entry } of malformed) ledger.settle(entry.offset);
      for (const entries of followers.values()) {
        await handToRetry(outboundTopic, batch.partition, entries, nowMs);
        for (const entry of entries) ledger.settle(entry.offset);
      }

      // One probe per tripped family: an outage costs one request per backoff, not one per record.
      const probing = new Set<EndpointFamily>();
      const endProbes = () => {
        for (const family of probing) probes.delete(family);
      };
      const wave = ledger.wave(nowMs, maxWave, (entry) => {
        if (entry.item.request === undefined) return false;
        const family = endpointFamily(entry.item.request);
        const openMs = breaker.remainingOpenMs(family, nowMs);
        if (openMs > 0) {
          retryDelay = Math.max(retryDelay, openMs);
          return false;
        }
        if (!breaker.isTripped(family)) return true;
        if (probes.has(family)) return false;
        probes.add(family);
        probing.add(family);
        return true;
      });
      if (wave.length === 0) {
        if (malformed.length === 0 && followers.size === 0) break;
        continue;
      }
      const started = process.hrtime.bigint();
      const oldest = wave[0]!.timestampMs;
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
          wave.map((entry) => entry.item.request!),
          {
            records: Number(BigInt(batch.highWatermark) - wave[0]!.offset),
            oldestAgeMs: Math.max(0, Date.now() - oldest),
          },
          signal,
        );
      } finally {
        clearInterval(keepAlive);
        endProbes();
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const settledNow = Date.now();
      const letters: DeadLetter[] = [];
      const leaving: string[] = [];
      wave.forEach((entry, index) => {
        const request = entry.item.request!;
        const outcome: DeliveryOutcome = outcomes[index] ?? {
          status: 'retry-later',
          request,
          error: missingOutcome(request),
          retryAfterMs: 0,
          httpStatus: undefined,
        };
        if (outcome.status === 'retry-later' && outcome.error.code === 'DELIVERY_ABORTED') {
          // Never sent: not a Klaviyo failure, not an attempt. The profile waits for the next owner or batch.
          aborted = true;
          return;
        }
        const family = endpointFamily(request);
        recordOutcomeMetrics(request, outcome, seconds);
        switch (outcome.status) {
          case 'delivered':
            options.metrics.classDelivered.inc({ class: classOfHead(ledger, entry.profileKey) });
            breaker.recordSuccess(family);
            ledger.settle(entry.offset);
            break;
          case 'failed-permanently':
            breaker.recordSuccess(family);
            entry.attempts += 1;
            letters.push({ entry, error: outcome.error });
            break;
          case 'retry-later': {
            // Only the outbound topic's failures that can mean an outage trip the breaker: one request failing
            // for ever in the retry topic, or a profile not created yet, is that request's problem, not a
            // Klaviyo outage that should pause everyone.
            if (!isRetry && outcome.error.signalsOutage)
              breaker.recordFailure(family, settledNow, outcome.error.retryAfterMs);
            // The request's own backoff (Klaviyo's Retry-After when longer): a request that fails for ever
            // is tried ever more rarely, up to the cap, not every few hundred milliseconds for a day. While
            // the family's breaker is tripped, the breaker alone paces it: when the outage ends, every
            // waiting request is due at once.
            const delay = breaker.isTripped(family)
              ? 0
              : retryDelayMs(entry.attempts, outcome.error.retryAfterMs, retryBackoff);
            retryDelay = Math.max(retryDelay, Math.min(delay, 1_000));
            const failed = ledger.fail(entry.offset, settledNow, settledNow + delay)!;
            failed.item.lastCode = outcome.error.code;
            failed.item.lastStatus = outcome.httpStatus;
            options.metrics.retries.inc({ role: 'dispatcher', code: outcome.error.code });
            const expired = isExpired(failed, settledNow, retryMaxAgeMs);
            const leaves =
              !expired && !isRetry && !breaker.isTripped(family) && shouldHandOff(failed, settledNow, handOff);
            log.warn(
              {
                topic: batch.topic,
                partition: batch.partition,
                offset: entry.offset.toString(),
                code: outcome.error.code,
                status: outcome.httpStatus,
                attempt: failed.attempts,
                retryInMs: delay,
                next: expired ? 'dead-letter' : leaves ? 'retry topic' : 'wait in place',
              },
              'delivery failed transiently',
            );
            if (expired) {
              letters.push({
                entry: failed,
                error: new RelayError(
                  'DELIVERY_EXPIRED',
                  `still failing after ${Math.round((settledNow - failed.firstFailedAtMs!) / 1000)} s: ${outcome.error.message}`,
                  { detail: { lastCode: outcome.error.code, status: outcome.httpStatus, attempts: failed.attempts } },
                ),
              });
            } else if (leaves) leaving.push(entry.profileKey);
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
      for (const { entry } of letters) ledger.settle(entry.offset);
      for (const profileKey of leaving) {
        const entries = ledger.entriesOf(profileKey);
        await handToRetry(outboundTopic, batch.partition, entries, settledNow);
        for (const entry of entries) ledger.settle(entry.offset);
      }
      if (signal.aborted) break;
      if (Date.now() - lastCommitAt >= commitIntervalMs) await commit();
      await payload.heartbeat();
      // kafkajs fetches again only once every batch of its last fetch has returned: a partition that drains
      // its whole backlog in one call would keep a new urgent record unfetched for as long. After a slice
      // it yields (the ledger keeps its state; the partition is fetched again at once).
      if (Date.now() - sliceStarted >= BATCH_SLICE_MS) break;
    }

    if (membershipError !== undefined) {
      // Worth a try: during a rebalance the generation is still valid and the delivered prefix can be kept.
      await commit().catch(() => undefined);
      throw groupErrorCause(membershipError) ?? membershipError;
    }
    await commit();
    reportBacklog(ledger, batch.highWatermark);
    if (halted) {
      haltEverything(halted);
      return;
    }
    if (ledger.size() > 0 && payload.isRunning()) {
      // At most a second later, sooner when the first waiting request is due sooner: an outbound partition
      // is fetched again from its commit point, which brings its waiting requests back to this loop (and
      // what came after them); a retry partition is fetched again from its last record (wakeRetry).
      const due = ledger.nextDueMs() ?? Date.now();
      const delay = Math.max(50, Math.min(1_000, Math.max(retryDelay, due - Date.now())));
      if (!isRetry || full) pauseFor(payload, delay);
      if (isRetry) wakeRetry(batch.topic, batch.partition, delay);
    }
  };

  /** Fetches a retry partition's last admitted record again after `delayMs`: its eachBatch retries what is due. */
  function wakeRetry(topic: string, partition: number, delayMs: number): void {
    const key = tpKey(topic, partition);
    const previous = wakeTimers.get(key);
    if (previous) {
      clearTimeout(previous);
      resumeTimers.delete(previous);
    }
    const timer = setTimeout(() => {
      resumeTimers.delete(timer);
      wakeTimers.delete(key);
      const next = ledgers.get(key)?.nextOffset();
      if (halted || stopping.signal.aborted || next === undefined || next === 0n) return;
      try {
        // autoCommit is off: kafkajs's seek only moves the fetch position, it commits nothing.
        consumer.seek({ topic, partition, offset: (next - 1n).toString() });
      } catch (error) {
        log.warn({ err: error, topic, partition }, 'could not fetch the retry partition again');
      }
    }, delayMs);
    resumeTimers.add(timer);
    wakeTimers.set(key, timer);
  }

  /** The class of a profile's head request, read with what follows it (a PATCH takes its event's class). */
  function classOfHead(ledger: PartitionLedger<Held>, profileKey: string) {
    const queue = ledger.entriesOf(profileKey).flatMap((held) => held.item.request ?? []);
    return classInQueue(queue, urgency);
  }

  /** relay_class_backlog_requests / _oldest_age_seconds: every ledger's unsettled requests, by class. */
  function reportClassBacklog(): void {
    const nowMs = Date.now();
    const backlog = emptyClassBacklog();
    for (const ledger of ledgers.values()) {
      const waiting: Waiting[] = [];
      for (const entry of ledger.entries()) {
        if (entry.item.request) waiting.push({ request: entry.item.request, timestampMs: entry.timestampMs });
      }
      addClassBacklog(backlog, waiting, urgency, nowMs);
    }
    for (const name of URGENCY_CLASSES) {
      options.metrics.classBacklog.set({ class: name }, backlog[name].requests);
      options.metrics.classOldestAge.set({ class: name }, Math.max(0, backlog[name].oldestAgeMs) / 1000);
    }
  }

  function reportBacklog(ledger: PartitionLedger<Held>, highWatermark: string): void {
    const labels = { topic: ledger.topic, partition: String(ledger.partition) };
    const oldest = ledger.oldestTimestampMs();
    options.metrics.unsettledRequests.set(labels, ledger.size());
    options.metrics.oldestUnsettledAge.set(labels, oldest === undefined ? 0 : Math.max(0, Date.now() - oldest) / 1000);
    // What is really unsettled: what the ledger holds plus what has not been fetched yet.
    const next = ledger.nextOffset() ?? BigInt(highWatermark);
    const unfetched = BigInt(highWatermark) > next ? BigInt(highWatermark) - next : 0n;
    options.metrics.consumerLag.set({ group: options.groupId, ...labels }, ledger.size() + Number(unfetched));
  }

  /** The partition whose oldest unsettled request is older than the threshold, if any (for /readyz). */
  function backlogProblem(): string | undefined {
    const nowMs = Date.now();
    let worst: { ledger: PartitionLedger<Held>; ageMs: number } | undefined;
    for (const ledger of ledgers.values()) {
      const oldest = ledger.oldestTimestampMs();
      if (oldest === undefined) continue;
      const ageMs = nowMs - oldest;
      if (ageMs > degradedAgeMs && (!worst || ageMs > worst.ageMs)) worst = { ledger, ageMs };
    }
    if (!worst) return undefined;
    return `degraded: ${worst.ledger.topic}[${worst.ledger.partition}] has ${worst.ledger.size()} unsettled requests, the oldest ${Math.round(worst.ageMs / 1000)} s old (RELAY_BACKLOG_DEGRADED_AGE_MS ${degradedAgeMs})`;
  }

  function haltEverything(error: RelayError): void {
    options.metrics.halted.set(1);
    // One line for the operator, however many partitions saw the halt.
    if (!haltReported)
      log.fatal({ code: error.code, status: httpStatusOf(error), detail: error.detail }, haltMessage(error));
    haltReported = true;
    consumer.pause([...outboundTopics, ...retryOf.values()].map((topic) => ({ topic })));
  }

  return {
    name: 'dispatcher',
    readiness: [
      { name: 'dispatcher.kafka', check: state.problem },
      {
        name: 'dispatcher.halted',
        check: () => (halted ? `halted: ${halted.code}: ${haltMessage(halted)}` : undefined),
      },
      { name: 'dispatcher.backlog', check: backlogProblem },
    ],
    async start() {
      options.metrics.halted.set(0);
      stopping = new AbortController();
      await admin.connect();
      totalPartitions = await partitionCount(admin, options.topic);
      for (const topic of outboundTopics) {
        const partitions = await partitionCount(admin, topic);
        const retryPartitions = await partitionCount(admin, retryTopic(topic));
        if (retryPartitions !== partitions) {
          await admin.disconnect();
          throw new RelayError(
            'CONFIG_INVALID',
            `${retryTopic(topic)} has ${retryPartitions} partitions, ${topic} has ${partitions}: they must match (create the retry topic with the outbound topic's partition count)`,
          );
        }
      }
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topics: [...outboundTopics, ...retryOf.values()], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // A slot per partition: a batch waiting for the limiter must never keep an urgent partition's batch
        // from running (kafkajs runs at most this many eachBatch calls at once).
        partitionsConsumedConcurrently:
          options.partitionsConsumedConcurrently ?? Math.max(3, totalPartitions * 2 * outboundTopics.length),
        eachBatch,
      });
      classMetricsTimer = setInterval(reportClassBacklog, options.classMetricsIntervalMs ?? 1_000);
      classMetricsTimer.unref();
      log.info({ topic: options.topic, groupId: options.groupId, totalPartitions }, 'started');
    },
    async stop() {
      // First end the waits (rate limiter, connections, backoff) and let the batches commit what Klaviyo
      // accepted: once kafkajs's stop begins, it drops commits. Requests already on the wire finish first.
      stopping.abort();
      await Promise.allSettled([...activeBatches]);
      for (const timer of resumeTimers) clearTimeout(timer);
      resumeTimers.clear();
      clearInterval(classMetricsTimer);
      await consumer.stop();
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      log.info('stopped');
    },
  };
}

/** How long one eachBatch call delivers waves before it yields to the fetch loop (see processBatch). */
const BATCH_SLICE_MS = 1_000;

/** How often a waiting wave asks kafkajs to heartbeat; kafkajs sends one per its heartbeatInterval (3 s). */
const KEEP_ALIVE_INTERVAL_MS = 1_000;

function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
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
