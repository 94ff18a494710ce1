/**
 * Where a replay (or park) started from the console stands, from what Kafka keeps, so a reload, or a new
 * console, shows the same state: the saved plan (src/dlq/replay-plan.ts), its `started`/`completed` audit
 * records, and the replay's committed consumer-group offsets, which are its progress (each chunk commits
 * its records and its offsets in one transaction). The running replays of this process add a live log.
 */
import type { AuditRecord } from '../dlq/audit-record.ts';
import {
  executeReplay,
  loadReplayPlan,
  readAudit,
  resumeReplay,
  type DlqContext,
  type ReplayOutcome,
} from '../dlq/operations.ts';
import { replayGroupId, type ReplayPlan } from '../dlq/replay-plan.ts';

export type ReplayState = 'running' | 'completed' | 'interrupted' | 'failed' | 'unknown';

export interface ReplayStatus {
  readonly replayId: string;
  readonly plan: ReplayPlan | undefined;
  readonly state: ReplayState;
  readonly done: number;
  readonly total: number;
  readonly audit: readonly AuditRecord[];
  readonly log: readonly string[];
  readonly error: string | undefined;
}

/** Records done and in all, as the replay runner counts them: from each partition's low watermark to the plan's end. */
export function progressOf(
  plan: ReplayPlan,
  lows: ReadonlyMap<number, number>,
  committed: ReadonlyMap<number, number>,
): { readonly done: number; readonly total: number } {
  let done = 0;
  let total = 0;
  for (const { partition, offset: end } of plan.endOffsets) {
    const low = lows.get(partition) ?? 0;
    const at = Math.max(low, committed.get(partition) ?? -1);
    total += Math.max(0, end - low);
    done += Math.max(0, Math.min(end, at) - low);
  }
  return { done, total };
}

export function stateOf(running: boolean, failed: boolean, audit: readonly AuditRecord[]): ReplayState {
  if (running) return 'running';
  if (audit.some((record) => record.status === 'completed')) return 'completed';
  if (failed) return 'failed';
  if (audit.some((record) => record.status === 'started')) return 'interrupted';
  return 'unknown';
}

interface Job {
  running: boolean;
  readonly log: string[];
  error: string | undefined;
  outcome: ReplayOutcome | undefined;
  readonly controller: AbortController;
}

const MAX_LOG_LINES = 200;

export interface ReplayJobs {
  /** Saves the plan and runs it in the background (the caller has checked the confirmation). */
  start(ctx: DlqContext, plan: ReplayPlan, ratePerSecond?: number): void;
  resume(ctx: DlqContext, replayId: string): void;
  status(ctx: DlqContext, replayId: string): Promise<ReplayStatus>;
  isRunning(replayId: string): boolean;
  /** Stops every running replay after its chunk in flight (the console is shutting down); resumable. */
  stopAll(): Promise<void>;
}

export function createReplayJobs(): ReplayJobs {
  const jobs = new Map<string, Job>();
  const runs = new Set<Promise<void>>();
  const launch = (
    replayId: string,
    run: (ctx: DlqContext, signal: AbortSignal) => Promise<ReplayOutcome>,
    ctx: DlqContext,
  ): void => {
    if (jobs.get(replayId)?.running === true) return;
    const job: Job = {
      running: true,
      log: [],
      error: undefined,
      outcome: undefined,
      controller: new AbortController(),
    };
    jobs.set(replayId, job);
    const logged: DlqContext = {
      ...ctx,
      progress: {
        isTTY: false,
        write: (text) => {
          for (const line of text.split('\n')) if (line.trim() !== '') job.log.push(line.trim());
          job.log.splice(0, Math.max(0, job.log.length - MAX_LOG_LINES));
        },
      },
    };
    const promise = run(logged, job.controller.signal).then(
      (outcome) => {
        job.outcome = outcome;
        job.log.push(outcome.run.completed ? 'completed' : 'interrupted: resume to continue where it stopped');
      },
      (error: unknown) => {
        job.error = error instanceof Error ? error.message : String(error);
      },
    );
    const tracked = promise.finally(() => {
      job.running = false;
      runs.delete(tracked);
    });
    runs.add(tracked);
  };
  return {
    start(ctx, plan, ratePerSecond) {
      const rate = ratePerSecond === undefined ? {} : { ratePerSecond };
      launch(plan.replayId, (logged, signal) => executeReplay(logged, plan, { ...rate, signal }), ctx);
    },
    resume(ctx, replayId) {
      launch(replayId, (logged, signal) => resumeReplay(logged, replayId, { signal }), ctx);
    },
    isRunning(replayId) {
      return jobs.get(replayId)?.running === true;
    },
    async status(ctx, replayId) {
      const job = jobs.get(replayId);
      const plan = await loadReplayPlan(ctx, replayId);
      const audit = (await readAudit(ctx)).filter((record) => record.replayId === replayId);
      let progress = { done: 0, total: 0 };
      if (plan !== undefined) {
        const lows = new Map(
          (await ctx.admin.fetchTopicOffsets(plan.dlqTopic)).map(
            (entry) => [entry.partition, Number(entry.low)] as const,
          ),
        );
        const committed = new Map<number, number>();
        for (const topic of await ctx.admin.fetchOffsets({ groupId: replayGroupId(replayId), topics: [plan.dlqTopic] }))
          for (const entry of topic.partitions) committed.set(entry.partition, Number(entry.offset));
        progress = progressOf(plan, lows, committed);
      }
      return {
        replayId,
        plan,
        state: stateOf(job?.running === true, job?.error !== undefined, audit),
        ...progress,
        audit,
        log: job?.log ?? [],
        error: job?.error,
      };
    },
    async stopAll() {
      for (const job of jobs.values()) job.controller.abort();
      await Promise.allSettled([...runs]);
    },
  };
}
