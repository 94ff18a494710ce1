/**
 * Runs a replay (or a park) plan, exactly once inside Kafka: each chunk of replayed records and the
 * replay's consumer-group offset are committed in one transaction (transactional id = group id =
 * `relay-dlq-replay-<id>`). Killed halfway, the open transaction is aborted when the replay resumes
 * (the new producer fences the old one) and the group's committed offsets say where to continue, so no
 * record is replayed twice for the same replay id. Consumers downstream read committed records only.
 */
import type { Admin, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { RelayError } from '../errors.ts';
import { createHandledIndex } from './offset-ranges.ts';
import { decideReplay, parkedMessage, parkedTopicOf, type ReplayDecision, type ReplaySettings } from './plan.ts';
import type { ProgressReporter } from './progress.ts';
import { viewDeadLetter, type SchemaNameLookup } from './record-view.ts';
import { replayGroupId, type ReplayPlan } from './replay-plan.ts';
import type { TokenBucket } from './token-bucket.ts';
import { toSourceRecord } from '../pipeline/source-record.ts';
import { deadLetterConsumer } from './topic-reader.ts';

export interface ReplayRunDeps {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly outboundTopic: string;
  readonly freshness: ReplaySettings['freshness'];
  readonly schemaName: SchemaNameLookup;
  readonly bucket: TokenBucket;
  readonly chunkSize: number;
  readonly progress: (total: number, alreadyDone: number) => ProgressReporter;
  readonly now: () => number;
  /** Aborting stops after the chunk in flight; the replay can be resumed. */
  readonly signal?: AbortSignal;
}

export interface ReplayRunResult {
  /** True when every partition reached its end offset. */
  readonly completed: boolean;
  /** True when an earlier, interrupted run had already done part of the work. */
  readonly resumed: boolean;
  /** Counts for this run only (a resumed run does not recount what the earlier run did). */
  readonly replayed: number;
  readonly parked: number;
  readonly unroutable: number;
  readonly backfilled: number;
  /** Records read in range but not in the plan's selection (filtered out, or handled earlier). */
  readonly notSelected: number;
}

export async function runReplayPlan(plan: ReplayPlan, deps: ReplayRunDeps): Promise<ReplayRunResult> {
  const groupId = replayGroupId(plan.replayId);
  const selected = createHandledIndex([plan.selected]);
  const ends = new Map(plan.endOffsets.map(({ partition, offset }) => [partition, offset]));
  const lows = new Map(
    (await deps.admin.fetchTopicOffsets(plan.dlqTopic)).map((entry) => [entry.partition, Number(entry.low)]),
  );
  const committed = new Map<number, number>();
  for (const topic of await deps.admin.fetchOffsets({ groupId, topics: [plan.dlqTopic] })) {
    for (const entry of topic.partitions) committed.set(entry.partition, Number(entry.offset));
  }
  const pending = new Set<number>();
  let total = 0;
  let alreadyDone = 0;
  for (const [partition, end] of ends) {
    const low = lows.get(partition) ?? 0;
    const start = Math.max(low, committed.get(partition) ?? -1);
    total += Math.max(0, end - low);
    alreadyDone += Math.max(0, Math.min(end, start) - low);
    if (start < end) pending.add(partition);
  }
  const resumed = [...committed.values()].some((offset) => offset >= 0);
  const counts = { replayed: 0, parked: 0, unroutable: 0, backfilled: 0, notSelected: 0 };
  if (pending.size === 0) return { completed: true, resumed, ...counts };

  const buildChunk = (topic: string, partition: number, chunk: readonly KafkaMessage[]): BuiltChunk | undefined => {
    const last = chunk[chunk.length - 1];
    if (last === undefined) return undefined;
    const chunkCounts: ChunkCounts = { replayed: 0, parked: 0, unroutable: 0, backfilled: 0, notSelected: 0 };
    const outgoing = new Map<string, Message[]>();
    let sends = 0;
    for (const message of chunk) {
      // The cheap check first: a filtered replay reads whole partitions but selects few of their records.
      if (!selected.has(partition, Number(message.offset))) {
        chunkCounts.notSelected += 1;
        continue;
      }
      const view = viewDeadLetter(toSourceRecord(topic, partition, message), deps.schemaName);
      const decision = decide(plan, view, deps);
      if (decision.kind === 'unroutable') {
        chunkCounts.unroutable += 1;
        continue;
      }
      if (decision.kind === 'park') chunkCounts.parked += 1;
      else {
        chunkCounts.replayed += 1;
        if (decision.backfilled) chunkCounts.backfilled += 1;
      }
      const list = outgoing.get(decision.topic) ?? [];
      list.push(decision.message);
      outgoing.set(decision.topic, list);
      sends += 1;
    }
    return { outgoing, sends, size: chunk.length, lastOffset: last.offset, counts: chunkCounts };
  };
  const progress = deps.progress(total, alreadyDone);
  let done = alreadyDone;
  const producer = deps.kafka.producer({ transactionalId: groupId, idempotent: true, maxInFlightRequests: 1 });
  // Its committed offsets are the replay's progress (committed in the same transaction as the records).
  const consumer = deadLetterConsumer(deps.kafka, groupId);
  let failure: unknown;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const reached = (partition: number, lastOffset: number): void => {
    if (lastOffset >= (ends.get(partition) ?? 0) - 1 && pending.delete(partition)) {
      consumer.pause([{ topic: plan.dlqTopic, partitions: [partition] }]);
      if (pending.size === 0) finish();
    }
  };
  const onAbort = (): void => finish();
  deps.signal?.addEventListener('abort', onAbort, { once: true });
  consumer.on(consumer.events.END_BATCH_PROCESS, (event) => {
    // kafkajs ends a batch also when eachBatch stopped early: after an abort (Ctrl-C, the console shutting
    // down) or a failed chunk, its last offset says nothing about what was replayed. Counting it as reached
    // made an interrupted replay look complete and audited it as such.
    if (deps.signal?.aborted === true || failure !== undefined) return;
    if (event.payload.topic === plan.dlqTopic) reached(event.payload.partition, Number(event.payload.lastOffset));
  });
  consumer.on(consumer.events.CRASH, (event) => {
    failure ??= event.payload.error;
    finish();
  });

  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topics: [plan.dlqTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning }) => {
        const end = ends.get(batch.partition);
        if (end === undefined || !pending.has(batch.partition)) return;
        const messages = batch.messages.filter((message) => Number(message.offset) < end);
        // Pipelined: while one chunk's transaction is in flight (network, broker), the next chunk is
        // built (CPU). A chunk's counts and progress are added only once its transaction committed.
        let inFlight: Promise<void> | undefined;
        let inFlightChunk: BuiltChunk | undefined;
        const settle = async (): Promise<boolean> => {
          if (inFlight === undefined || inFlightChunk === undefined) return true;
          try {
            await inFlight;
          } catch (error) {
            // The transaction was aborted: nothing of this chunk is visible and the offset did not move.
            // Stop rather than let the consumer retry, so the counts stay true; --resume continues here.
            failure = error;
            finish();
            return false;
          } finally {
            inFlight = undefined;
          }
          const committed = inFlightChunk;
          inFlightChunk = undefined;
          for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] += committed.counts[key];
          resolveOffset(committed.lastOffset);
          done += committed.size;
          progress.update(done);
          await heartbeat();
          return true;
        };
        for (let index = 0; index < messages.length; index += deps.chunkSize) {
          if (!isRunning() || deps.signal?.aborted === true || failure !== undefined) break;
          const chunk = buildChunk(batch.topic, batch.partition, messages.slice(index, index + deps.chunkSize));
          if (chunk === undefined) continue;
          await deps.bucket.take(chunk.sends);
          if (!(await settle())) return;
          inFlightChunk = chunk;
          inFlight = commitChunk(producer, groupId, plan.dlqTopic, batch.partition, chunk.lastOffset, chunk.outgoing);
        }
        if (!(await settle())) return;
        if (isRunning() && deps.signal?.aborted !== true && failure === undefined)
          reached(batch.partition, Number(batch.lastOffset()));
      },
    });
    await finished;
  } catch (error) {
    failure ??= error;
  } finally {
    deps.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
  }
  if (failure !== undefined) {
    throw new RelayError(
      'KAFKA_UNAVAILABLE',
      `replay ${plan.replayId} stopped: ${describe(failure)}; resume it with --resume ${plan.replayId}`,
      {
        cause: failure,
      },
    );
  }
  const completed = pending.size === 0;
  if (completed) progress.finish(total);
  return { completed, resumed, ...counts };
}

interface ChunkCounts {
  replayed: number;
  parked: number;
  unroutable: number;
  backfilled: number;
  notSelected: number;
}

interface BuiltChunk {
  readonly outgoing: ReadonlyMap<string, Message[]>;
  readonly sends: number;
  readonly size: number;
  readonly lastOffset: string;
  readonly counts: ChunkCounts;
}

function decide(plan: ReplayPlan, view: ReturnType<typeof viewDeadLetter>, deps: ReplayRunDeps): ReplayDecision {
  if (plan.mode === 'park') {
    return {
      kind: 'park',
      topic: parkedTopicOf(plan.dlqTopic),
      message: parkedMessage(view, `parked by ${plan.actor}`, deps.now()),
    };
  }
  return decideReplay(view, {
    replayId: plan.replayId,
    dlqTopic: plan.dlqTopic,
    outboundTopic: deps.outboundTopic,
    to: plan.to,
    maxReplays: plan.maxReplays,
    backfill: plan.backfill,
    maxAgeMs: plan.maxAgeMs,
    freshness: deps.freshness,
    now: deps.now(),
  });
}

/** One transaction: the chunk's records to their destinations and the replay's progress past the chunk. */
async function commitChunk(
  producer: Producer,
  groupId: string,
  topic: string,
  partition: number,
  lastOffset: string,
  outgoing: ReadonlyMap<string, Message[]>,
): Promise<void> {
  const transaction = await producer.transaction();
  try {
    if (outgoing.size > 0) {
      await transaction.sendBatch({
        topicMessages: [...outgoing].map(([destination, messages]) => ({ topic: destination, messages })),
      });
    }
    await transaction.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic, partitions: [{ partition, offset: (BigInt(lastOffset) + 1n).toString() }] }],
    });
    await transaction.commit();
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
