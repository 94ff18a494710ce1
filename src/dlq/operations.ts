/**
 * The dlq operations, composed from the pure core and the Kafka adapters: what `klaviyo-relay dlq …`
 * runs, and what the integration tests drive directly. Every dependency comes in through `DlqContext`.
 */
import type { Admin, Kafka } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { RelayError } from '../errors.ts';
import {
  parseAuditRecord,
  serializeAuditRecord,
  type AuditOperation,
  type AuditRecord,
  type AuditStatus,
} from './audit-record.ts';
import { describeFilter, matchesFilter, type DlqFilter } from './filter.ts';
import { assertChangeableTopic, assertPurgeAllUnfiltered, topicNotFound } from './guards.ts';
import {
  createCoordinateCollector,
  createHandledIndex,
  toRanges,
  type HandledIndex,
  type PartitionRanges,
} from './offset-ranges.ts';
import { decide, type ReplayDecision } from './plan.ts';
import { createProgressReporter } from './progress.ts';
import { viewDeadLetter, wireFormatSchemaId, type DeadLetterRecord, type DeadLetterView } from './record-view.ts';
import {
  parseReplayPlan,
  REPLAY_ID_PATTERN,
  replayPlanTopic,
  serializeReplayPlan,
  type ReplayMode,
  type ReplayPlan,
} from './replay-plan.ts';
import { runReplayPlan, type ReplayRunResult } from './replay-runner.ts';
import type { SchemaReader } from './schema-names.ts';
import { createTokenBucket, UNLIMITED } from './token-bucket.ts';
import { readSnapshot, ensureTopic, snapshotTopic } from './topic-reader.ts';

export interface DlqContext {
  readonly kafka: Kafka;
  /** Connected; owned by the caller. */
  readonly admin: Admin;
  readonly config: Config;
  readonly schemas: SchemaReader;
  readonly now: () => number;
  readonly actor: string;
  readonly host: string;
  /** The command line, for the audit record (already scrubbed). */
  readonly command: readonly string[];
  /** Where progress goes (stderr). */
  readonly progress: { readonly write: (text: string) => void; readonly isTTY: boolean };
}

export interface Selection {
  readonly topic: string;
  /** Records that pass the filter and are not handled (unless included), in partition/offset order, limited. */
  readonly selected: readonly DeadLetterView[];
  /** Records that passed the filter but were handled earlier (replayed, parked or purged). */
  readonly handledSkipped: number;
  /** With `includeHandled`: selected records that earlier operations had already handled. */
  readonly handledIncluded: number;
  readonly scanned: number;
}

/**
 * Reads a dead-letter topic and selects what the filter names. A missing topic is an error (NOT_FOUND):
 * "0 dead letters" for a mistyped name would tell the operator all is well.
 */
export async function selectDeadLetters(
  ctx: DlqContext,
  topic: string,
  filter: DlqFilter,
  options: { readonly includeHandled?: boolean; readonly handled?: HandledIndex } = {},
): Promise<Selection> {
  const records: DeadLetterRecord[] = [];
  const snapshot = await snapshotTopic(ctx.admin, topic);
  if (snapshot === undefined) throw topicNotFound(topic);
  await readSnapshot(ctx.kafka, snapshot, (record) => records.push(record));
  records.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
  const schemaIds = records.flatMap((record) => {
    const schemaId = wireFormatSchemaId(record.value);
    return schemaId === undefined ? [] : [schemaId];
  });
  const schemaName = await ctx.schemas.prepare(schemaIds);
  const handled = options.handled ?? (await handledIndexFor(ctx, topic));
  const selected: DeadLetterView[] = [];
  let handledSkipped = 0;
  let handledIncluded = 0;
  for (const record of records) {
    if (filter.limit !== undefined && selected.length >= filter.limit) break;
    const view = viewDeadLetter(record, schemaName);
    if (!matchesFilter(view, filter)) continue;
    if (handled.has(record.partition, view.offset)) {
      if (options.includeHandled !== true) {
        handledSkipped += 1;
        continue;
      }
      handledIncluded += 1;
    }
    selected.push(view);
  }
  return { topic, selected, handledSkipped, handledIncluded, scanned: records.length };
}

/** Every record on the audit topic, oldest first (records that are not audit records are left out). */
export async function readAudit(ctx: DlqContext): Promise<AuditRecord[]> {
  const snapshot = await snapshotTopic(ctx.admin, ctx.config.relay.auditTopic);
  const records: AuditRecord[] = [];
  if (snapshot === undefined) return records;
  await readSnapshot(ctx.kafka, snapshot, (record) => {
    const parsed = parseAuditRecord(record.value);
    if (parsed !== undefined) records.push(parsed);
  });
  return records.sort((a, b) => a.at.localeCompare(b.at));
}

/** The dead letters of `topic` that earlier replays, parks and purges took care of. */
export async function handledIndexFor(ctx: DlqContext, topic: string): Promise<HandledIndex> {
  const audit = await readAudit(ctx);
  return createHandledIndex(audit.filter((record) => record.dlqTopic === topic).map((record) => record.handled));
}

export async function writeAudit(
  ctx: DlqContext,
  entry: {
    readonly operation: AuditOperation;
    readonly status?: AuditStatus;
    readonly dlqTopic: string;
    readonly filter: DlqFilter;
    readonly replayId?: string;
    readonly options: Readonly<Record<string, unknown>>;
    readonly counts: Readonly<Record<string, number>>;
    readonly handled: readonly PartitionRanges[];
  },
): Promise<AuditRecord> {
  const record: AuditRecord = {
    v: 1,
    auditId: randomUUID(),
    operation: entry.operation,
    status: entry.status ?? 'completed',
    actor: ctx.actor,
    host: ctx.host,
    at: new Date(ctx.now()).toISOString(),
    command: [...ctx.command],
    dlqTopic: entry.dlqTopic,
    filter: describeFilter(entry.filter),
    replayId: entry.replayId,
    options: entry.options,
    counts: entry.counts,
    handled: entry.handled,
  };
  // One partition: the audit trail is read in the order it was written.
  await ensureTopic(ctx.admin, ctx.config.relay.auditTopic, {
    partitions: 1,
    replication: ctx.config.relay.topicReplication,
  });
  await send(ctx, ctx.config.relay.auditTopic, entry.dlqTopic, serializeAuditRecord(record));
  return record;
}

async function send(ctx: DlqContext, topic: string, key: string, value: Buffer): Promise<void> {
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    // Gzip: a handled-ranges list of a scattered selection compresses to a fraction of its JSON.
    await producer.send({ topic, acks: -1, compression: CompressionTypes.GZIP, messages: [{ key, value }] });
  } finally {
    await producer.disconnect();
  }
}

// ── replay and park ────────────────────────────────────────────────────────────────────────────────

export interface ReplayRequest {
  readonly mode: ReplayMode;
  readonly dlqTopic: string;
  readonly filter: DlqFilter;
  readonly replayId?: string;
  readonly to?: string;
  readonly backfill?: boolean;
  readonly maxAgeMs?: number;
  readonly includeHandled?: boolean;
  /** Allow a topic that is not a dead-letter topic (`.dlq`, `.parked`); refused otherwise (USAGE_INVALID). */
  readonly force?: boolean;
}

export interface PlannedRecord {
  readonly view: DeadLetterView;
  readonly decision: ReplayDecision;
}

export interface ReplayPreview {
  readonly plan: ReplayPlan;
  readonly records: readonly PlannedRecord[];
  readonly handledSkipped: number;
  /** Selected records that earlier operations had already handled (only with `includeHandled`). */
  readonly handledIncluded: number;
  /** Selected records that an earlier replay had already put back once (relay.replay.count > 0). */
  readonly replayedBefore: number;
}

export function newReplayId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `r${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Selects the records and decides, without writing anything, what a replay (or park) would do: the dry run. */
export async function previewReplay(ctx: DlqContext, request: ReplayRequest): Promise<ReplayPreview> {
  assertChangeableTopic(request.dlqTopic, request.mode, request.force);
  const replayId = request.replayId ?? newReplayId(ctx.now());
  if (!REPLAY_ID_PATTERN.test(replayId))
    throw new RelayError(
      'USAGE_INVALID',
      `replay id ${JSON.stringify(replayId)} must match ${REPLAY_ID_PATTERN.source}`,
    );
  if (request.to !== undefined && !(await ctx.admin.listTopics()).includes(request.to)) throw topicNotFound(request.to);
  const selection = await selectDeadLetters(ctx, request.dlqTopic, request.filter, {
    includeHandled: request.includeHandled === true,
  });
  const freshness = ctx.config.relay.freshness;
  const records: PlannedRecord[] = selection.selected.map((view) => ({
    view,
    decision: decide(request.mode, view, {
      replayId,
      dlqTopic: request.dlqTopic,
      outboundTopic: ctx.config.relay.outboundTopic,
      to: request.to,
      maxReplays: ctx.config.relay.maxReplays,
      backfill: request.backfill === true,
      maxAgeMs: request.maxAgeMs,
      freshness,
      now: ctx.now(),
      actor: ctx.actor,
    }),
  }));
  const handled = createCoordinateCollector();
  const ends = new Map<number, number>();
  for (const { view, decision } of records) {
    // Unroutable records stay pending: nothing happened to them.
    if (decision.kind !== 'unroutable') handled.add(view.record.partition, view.offset);
    ends.set(view.record.partition, Math.max(ends.get(view.record.partition) ?? 0, view.offset + 1));
  }
  const count = (kind: ReplayDecision['kind']): number =>
    records.filter((record) => record.decision.kind === kind).length;
  const plan: ReplayPlan = {
    v: 1,
    replayId,
    mode: request.mode,
    dlqTopic: request.dlqTopic,
    filter: request.filter,
    to: request.to,
    backfill: request.backfill === true,
    maxAgeMs: request.maxAgeMs,
    maxReplays: ctx.config.relay.maxReplays,
    includeHandled: request.includeHandled === true,
    endOffsets: [...ends]
      .map(([partition, offset]) => ({ partition, offset }))
      .sort((a, b) => a.partition - b.partition),
    selected: handled.ranges(),
    counts: { selected: records.length, replay: count('replay'), park: count('park'), unroutable: count('unroutable') },
    createdAt: new Date(ctx.now()).toISOString(),
    actor: ctx.actor,
  };
  return {
    plan,
    records,
    handledSkipped: selection.handledSkipped,
    handledIncluded: selection.handledIncluded,
    replayedBefore: records.filter((record) => record.view.info.replayCount > 0).length,
  };
}

export interface ReplayOutcome {
  readonly plan: ReplayPlan;
  readonly run: ReplayRunResult;
  /** The `started` audit record this run wrote (absent when a resume found the replay already completed). */
  readonly started: AuditRecord | undefined;
  /** Written when the replay completed (also when a resume finds it already complete); absent when interrupted. */
  readonly audit: AuditRecord | undefined;
}

export interface RunOptions {
  readonly ratePerSecond?: number;
  readonly signal?: AbortSignal;
  /** Allow a plan whose topic is not a dead-letter topic (as `ReplayRequest.force`). */
  readonly force?: boolean;
}

const NOTHING_RUN: ReplayRunResult = {
  completed: true,
  resumed: false,
  replayed: 0,
  parked: 0,
  unroutable: 0,
  backfilled: 0,
  notSelected: 0,
};

/**
 * Saves the plan (so it can be resumed), runs it and, once complete, audits it. A plan that selects
 * nothing changes nothing: no plan is saved and no audit record is written (`started` and `audit` absent).
 */
export async function executeReplay(
  ctx: DlqContext,
  plan: ReplayPlan,
  options: RunOptions = {},
): Promise<ReplayOutcome> {
  assertChangeableTopic(plan.dlqTopic, plan.mode, options.force);
  if (plan.counts.selected === 0) return { plan, run: NOTHING_RUN, started: undefined, audit: undefined };
  const planTopic = replayPlanTopic(ctx.config.relay.auditTopic);
  await ensureTopic(ctx.admin, planTopic, {
    partitions: 1,
    replication: ctx.config.relay.topicReplication,
    compacted: true,
  });
  if ((await loadReplayPlan(ctx, plan.replayId)) !== undefined) {
    throw new RelayError(
      'USAGE_INVALID',
      `replay id ${plan.replayId} is taken; continue it with --resume ${plan.replayId}`,
    );
  }
  await send(ctx, planTopic, plan.replayId, serializeReplayPlan(plan));
  return runAndAudit(ctx, plan, options, false);
}

/** Continues an interrupted replay (or park) where its committed offsets say it stopped. */
export async function resumeReplay(
  ctx: DlqContext,
  replayId: string,
  options: RunOptions = {},
): Promise<ReplayOutcome> {
  const plan = await loadReplayPlan(ctx, replayId);
  if (plan === undefined)
    throw new RelayError('NOT_FOUND', `no replay with id ${JSON.stringify(replayId)}`, { detail: { replayId } });
  return runAndAudit(ctx, plan, options, true);
}

export async function loadReplayPlan(ctx: DlqContext, replayId: string): Promise<ReplayPlan | undefined> {
  const snapshot = await snapshotTopic(ctx.admin, replayPlanTopic(ctx.config.relay.auditTopic));
  let found: ReplayPlan | undefined;
  if (snapshot === undefined) return undefined;
  await readSnapshot(ctx.kafka, snapshot, (record) => {
    if (record.key?.toString('utf8') !== replayId) return;
    found = parseReplayPlan(record.value) ?? found;
  });
  return found;
}

const MAX_CHUNK_RECORDS = 2_500;

async function runAndAudit(
  ctx: DlqContext,
  plan: ReplayPlan,
  options: RunOptions,
  resuming: boolean,
): Promise<ReplayOutcome> {
  const rate = options.ratePerSecond;
  // Each chunk is one transaction. Commits cost tens of milliseconds (and the coordinator refuses a new
  // transaction for a moment after a commit), so chunks are half a second of the capped rate, up to 2,500:
  // 5,000-record chunks of 100,000 dead letters failed with MESSAGE_TOO_LARGE (bench:dlq, uncapped).
  const chunkSize = Math.max(1, Math.min(MAX_CHUNK_RECORDS, Math.floor((rate ?? Number.POSITIVE_INFINITY) / 2)));
  const auditOptions = (resumed: boolean): Record<string, unknown> => ({
    ...(plan.to === undefined ? {} : { to: plan.to }),
    backfill: plan.backfill,
    ...(plan.maxAgeMs === undefined ? {} : { maxAgeMs: plan.maxAgeMs }),
    maxReplays: plan.maxReplays,
    includeHandled: plan.includeHandled,
    ...(rate === undefined ? {} : { rate }),
    resumed,
  });
  const findCompleted = async (): Promise<AuditRecord | undefined> =>
    (await readAudit(ctx)).find((record) => record.replayId === plan.replayId && record.status === 'completed');
  const alreadyCompleted = resuming ? await findCompleted() : undefined;
  // Written before the first record moves, so an interrupted replay shows in `dlq audit`: who started what.
  const started =
    alreadyCompleted === undefined
      ? await writeAudit(ctx, {
          operation: plan.mode,
          status: 'started',
          dlqTopic: plan.dlqTopic,
          filter: plan.filter,
          replayId: plan.replayId,
          options: auditOptions(resuming),
          counts: { selected: plan.counts.selected, toReplay: plan.counts.replay, toPark: plan.counts.park },
          handled: [],
        })
      : undefined;
  const schemaName = await ctx.schemas.prepare([]);
  const run = await runReplayPlan(plan, {
    kafka: ctx.kafka,
    admin: ctx.admin,
    outboundTopic: ctx.config.relay.outboundTopic,
    freshness: ctx.config.relay.freshness,
    schemaName,
    bucket:
      rate === undefined
        ? UNLIMITED
        : createTokenBucket({
            ratePerSecond: rate,
            burst: chunkSize,
            now: () => performance.now(),
            sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
          }),
    chunkSize,
    progress: (total, alreadyDone) => {
      const reporter = createProgressReporter({
        total,
        write: ctx.progress.write,
        isTTY: ctx.progress.isTTY,
        now: () => performance.now(),
        label: `${plan.mode} ${plan.replayId}`,
      });
      if (alreadyDone > 0)
        ctx.progress.write(`resuming ${plan.replayId}: ${alreadyDone} of ${total} records were done before\n`);
      return reporter;
    },
    now: ctx.now,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (!run.completed) return { plan, run, started, audit: undefined };
  const existing = alreadyCompleted ?? (await findCompleted());
  if (existing !== undefined) return { plan, run, started, audit: existing };
  const written = await writeAudit(ctx, {
    operation: plan.mode,
    dlqTopic: plan.dlqTopic,
    filter: plan.filter,
    replayId: plan.replayId,
    options: auditOptions(run.resumed),
    counts: {
      selected: plan.counts.selected,
      replayed: plan.mode === 'replay' ? plan.counts.replay : 0,
      parked: plan.mode === 'park' ? plan.counts.selected - plan.counts.unroutable : plan.counts.park,
      unroutable: plan.counts.unroutable,
      backfilledThisRun: run.backfilled,
    },
    handled: plan.selected,
  });
  return { plan, run, started, audit: written };
}

// ── purge ──────────────────────────────────────────────────────────────────────────────────────────

export interface PurgeOptions {
  /** Allow a topic that is not a dead-letter topic (`.dlq`, `.parked`); refused otherwise (USAGE_INVALID). */
  readonly force?: boolean;
  /** Count what would be purged; change nothing, audit nothing. */
  readonly dryRun?: boolean;
}

export interface PurgeOutcome {
  /** Records purged (or, in a dry run, that would be). */
  readonly purged: number;
  readonly deletedFromLog: boolean;
  readonly dryRun: boolean;
  /** Absent in a dry run and when nothing was purged: an operation that changes nothing is not audited. */
  readonly audit: AuditRecord | undefined;
}

/**
 * Kafka cannot delete single records. `purge --all` deletes every partition's records up to the end it
 * had when the purge began (deleteRecords); a filtered purge writes the selected records' coordinates to
 * the audit topic, and every dlq command treats them as gone from then on. Both are audited. Refused
 * (USAGE_INVALID, before any read) on a topic that is not a dead-letter topic unless forced, and for
 * `all` with filters; a missing topic is NOT_FOUND.
 */
export async function purge(
  ctx: DlqContext,
  dlqTopic: string,
  filter: DlqFilter,
  all: boolean,
  options: PurgeOptions = {},
): Promise<PurgeOutcome> {
  assertChangeableTopic(dlqTopic, 'purge', options.force);
  const dryRun = options.dryRun === true;
  if (all) {
    assertPurgeAllUnfiltered(filter);
    const snapshot = await snapshotTopic(ctx.admin, dlqTopic);
    if (snapshot === undefined) throw topicNotFound(dlqTopic);
    const partitions = snapshot.partitions.filter((bounds) => bounds.high > bounds.low);
    const purged = partitions.reduce((sum, bounds) => sum + bounds.high - bounds.low, 0);
    if (dryRun || purged === 0) return { purged, deletedFromLog: true, dryRun, audit: undefined };
    await ctx.admin.deleteTopicRecords({
      topic: dlqTopic,
      partitions: partitions.map((bounds) => ({ partition: bounds.partition, offset: String(bounds.high) })),
    });
    const audit = await writeAudit(ctx, {
      operation: 'purge',
      dlqTopic,
      filter,
      options: { all: true },
      counts: { purged },
      handled: partitions.map((bounds) => ({
        partition: bounds.partition,
        ranges: [[bounds.low, bounds.high - 1] as const],
      })),
    });
    return { purged, deletedFromLog: true, dryRun, audit };
  }
  const selection = await selectDeadLetters(ctx, dlqTopic, filter);
  const purged = selection.selected.length;
  if (dryRun || purged === 0) return { purged, deletedFromLog: false, dryRun, audit: undefined };
  const byPartition = new Map<number, number[]>();
  for (const view of selection.selected) {
    const list = byPartition.get(view.record.partition) ?? [];
    list.push(view.offset);
    byPartition.set(view.record.partition, list);
  }
  const audit = await writeAudit(ctx, {
    operation: 'purge',
    dlqTopic,
    filter,
    options: { all: false },
    counts: { purged },
    handled: [...byPartition].map(([partition, offsets]) => ({ partition, ranges: toRanges(offsets) })),
  });
  return { purged, deletedFromLog: false, dryRun, audit };
}
