/**
 * The options of `dlq replay` / `dlq park`, checked together so the on-call engineer sees every mistake in
 * one go (a bad --rate and a bad --since in one run, not one per attempt). Pure: `now` comes in.
 */
import { parseDuration, type Parsed } from './duration.ts';
import type { ReplayRequest } from './operations.ts';
import { parseFilter, type DlqFilter, type FilterOptions } from './filter.ts';
import { REPLAY_ID_PATTERN, type ReplayMode } from './replay-plan.ts';

export interface ReplayCommandOptions extends FilterOptions {
  readonly to?: string;
  readonly backfill?: boolean;
  readonly maxAge?: string;
  readonly rate?: string;
  readonly dryRun?: boolean;
  readonly id?: string;
  readonly resume?: string;
}

export type ReplayInvocation =
  | { readonly kind: 'resume'; readonly replayId: string; readonly ratePerSecond: number | undefined }
  | {
      readonly kind: 'start';
      readonly dlqTopic: string;
      readonly filter: DlqFilter;
      readonly replayId: string | undefined;
      readonly to: string | undefined;
      readonly backfill: boolean;
      readonly maxAgeMs: number | undefined;
      readonly ratePerSecond: number | undefined;
      readonly dryRun: boolean;
    };

/** The replay request a started invocation asks for: the CLI and the console build it alike. */
export function replayRequestOf(
  mode: ReplayMode,
  invocation: Extract<ReplayInvocation, { kind: 'start' }>,
  scope: { readonly includeHandled: boolean; readonly force?: boolean },
): ReplayRequest {
  return {
    mode,
    dlqTopic: invocation.dlqTopic,
    filter: invocation.filter,
    ...(invocation.replayId === undefined ? {} : { replayId: invocation.replayId }),
    ...(invocation.to === undefined ? {} : { to: invocation.to }),
    backfill: invocation.backfill,
    ...(invocation.maxAgeMs === undefined ? {} : { maxAgeMs: invocation.maxAgeMs }),
    includeHandled: scope.includeHandled,
    ...(scope.force === undefined ? {} : { force: scope.force }),
  };
}

const FILTER_OPTIONS = ['code', 'stage', 'type', 'key', 'since', 'until', 'partition', 'offset', 'limit'] as const;

export function parseReplayOptions(
  mode: ReplayMode,
  topic: string | undefined,
  options: ReplayCommandOptions,
  now: number,
): Parsed<ReplayInvocation> {
  const problems: string[] = [];
  let maxAgeMs: number | undefined;
  if (options.maxAge !== undefined) {
    const parsed = parseDuration(options.maxAge);
    if (parsed.ok) maxAgeMs = parsed.value;
    else problems.push(`--max-age: ${parsed.message}`);
  }
  let ratePerSecond: number | undefined;
  if (options.rate !== undefined) {
    ratePerSecond = /^\d+$/.test(options.rate) ? Number(options.rate) : Number.NaN;
    if (!Number.isSafeInteger(ratePerSecond) || ratePerSecond < 1)
      problems.push(`--rate ${options.rate}: must be a positive integer (records per second)`);
  }
  const filter = parseFilter(options, now);
  if (!filter.ok) problems.push(...filter.message.split('\n'));
  if (options.to !== undefined && options.to.trim() === '') problems.push('--to: give a topic name');

  if (options.resume !== undefined) {
    // A resumed replay runs its saved plan: a different filter or target now would not be what was audited.
    if (topic !== undefined)
      problems.push(`--resume ${options.resume}: the topic comes from the saved plan; drop ${topic}`);
    const given = [
      ...FILTER_OPTIONS.filter((name) => options[name] !== undefined).map((name) => `--${name}`),
      ...(options.to === undefined ? [] : ['--to']),
      ...(options.backfill === true ? ['--backfill'] : []),
      ...(options.maxAge === undefined ? [] : ['--max-age']),
      ...(options.id === undefined ? [] : ['--id']),
      ...(options.dryRun === true ? ['--dry-run'] : []),
    ];
    if (given.length > 0)
      problems.push(`--resume continues the saved plan as it was audited; ${given.join(', ')} cannot change it`);
  } else if (topic === undefined) {
    problems.push(`dlq ${mode}: give a dead-letter topic, or --resume <id>`);
  }
  for (const [name, id] of [
    ['--id', options.id],
    ['--resume', options.resume],
  ] as const) {
    if (id !== undefined && !REPLAY_ID_PATTERN.test(id))
      problems.push(`${name} ${JSON.stringify(id)}: a replay id is 1-100 letters, digits, '.', '_' or '-'`);
  }
  if (problems.length > 0 || !filter.ok) return { ok: false, message: problems.join('\n') };
  if (options.resume !== undefined)
    return { ok: true, value: { kind: 'resume', replayId: options.resume, ratePerSecond } };
  return {
    ok: true,
    value: {
      kind: 'start',
      dlqTopic: topic ?? '',
      filter: filter.value,
      replayId: options.id,
      to: options.to,
      backfill: options.backfill === true,
      maxAgeMs,
      ratePerSecond,
      dryRun: options.dryRun === true,
    },
  };
}
