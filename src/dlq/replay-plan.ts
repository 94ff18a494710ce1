/**
 * A replay's plan, written before the first record is replayed and read back by `--resume`: which dead
 * letters it covers (filter, end offsets frozen at the start, so records dead-lettered during the replay
 * are not chased) and how it replays them. Kept on a compacted topic keyed by replay id.
 */
import { z } from 'zod';
import type { DlqFilter } from './filter.ts';
import type { PartitionRanges } from './offset-ranges.ts';

export type ReplayMode = 'replay' | 'park';

export interface ReplayPlan {
  readonly v: 1;
  readonly replayId: string;
  readonly mode: ReplayMode;
  readonly dlqTopic: string;
  readonly filter: DlqFilter;
  readonly to: string | undefined;
  readonly backfill: boolean;
  readonly maxAgeMs: number | undefined;
  readonly maxReplays: number;
  readonly includeHandled: boolean;
  /** Exclusive end offset per partition; partitions not listed have nothing to replay. */
  readonly endOffsets: readonly { readonly partition: number; readonly offset: number }[];
  /** Every dead letter the plan selected (replayed or parked when the plan completes). */
  readonly selected: readonly PartitionRanges[];
  readonly counts: {
    readonly selected: number;
    readonly replay: number;
    readonly park: number;
    readonly unroutable: number;
  };
  readonly createdAt: string;
  readonly actor: string;
}

const range = z.object({ from: z.number(), to: z.number() });

const planSchema = z.object({
  v: z.literal(1),
  replayId: z.string(),
  mode: z.enum(['replay', 'park']),
  dlqTopic: z.string(),
  filter: z.object({
    codes: z.array(z.string()),
    stages: z.array(z.string()),
    types: z.array(z.string()),
    keys: z.array(z.string()),
    since: z.number().optional(),
    until: z.number().optional(),
    partitions: z.array(range),
    offsets: z.array(range),
    limit: z.number().optional(),
  }),
  to: z.string().optional(),
  backfill: z.boolean(),
  maxAgeMs: z.number().optional(),
  maxReplays: z.number().int().min(1),
  includeHandled: z.boolean(),
  endOffsets: z.array(z.object({ partition: z.number().int(), offset: z.number().int() })),
  selected: z.array(z.object({ partition: z.number().int(), ranges: z.array(z.tuple([z.number(), z.number()])) })),
  counts: z.object({ selected: z.number(), replay: z.number(), park: z.number(), unroutable: z.number() }),
  createdAt: z.string(),
  actor: z.string(),
});

export function parseReplayPlan(value: Buffer | null): ReplayPlan | undefined {
  if (value === null) return undefined;
  try {
    const parsed = planSchema.safeParse(JSON.parse(value.toString('utf8')));
    if (!parsed.success) return undefined;
    const { filter, to, maxAgeMs, ...rest } = parsed.data;
    return {
      ...rest,
      to,
      maxAgeMs,
      filter: { ...filter, since: filter.since, until: filter.until, limit: filter.limit },
    };
  } catch {
    return undefined;
  }
}

export function serializeReplayPlan(plan: ReplayPlan): Buffer {
  return Buffer.from(JSON.stringify(plan), 'utf8');
}

/** Where plans live: beside the audit topic, so one setting (RELAY_AUDIT_TOPIC) names both. */
export function replayPlanTopic(auditTopic: string): string {
  return `${auditTopic}.replays`;
}

/** Replay ids name a consumer group and a transactional id: kept to characters Kafka and shells take as they are. */
export const REPLAY_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** Consumer group and transactional id of a replay: its committed offsets are its progress. */
export function replayGroupId(replayId: string): string {
  return `relay-dlq-replay-${replayId}`;
}
