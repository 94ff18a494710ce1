/**
 * Which dead letters a dlq command acts on. Parsed once from the command line (every problem reported at
 * once), then applied as a pure predicate; `list`, `show`, `replay`, `park` and `purge` share it, so a
 * dry run selects exactly what the real run will.
 */
import { parseInstant, type Parsed } from './duration.ts';
import { metricOf, type DeadLetterView } from './record-view.ts';

export interface NumberRange {
  readonly from: number;
  readonly to: number;
}

export interface DlqFilter {
  readonly codes: readonly string[];
  readonly stages: readonly string[];
  /** Domain event types (`OrderPlaced`) or metrics (`Reset Password`). */
  readonly types: readonly string[];
  readonly keys: readonly string[];
  /** Failure time bounds, epoch millis, inclusive. */
  readonly since: number | undefined;
  readonly until: number | undefined;
  readonly partitions: readonly NumberRange[];
  /** Offsets in the dead-letter topic. */
  readonly offsets: readonly NumberRange[];
  readonly limit: number | undefined;
}

/** The filter options exactly as commander hands them over (repeatable options arrive as arrays). */
export interface FilterOptions {
  readonly code?: readonly string[];
  readonly stage?: readonly string[];
  readonly type?: readonly string[];
  readonly key?: readonly string[];
  readonly since?: string;
  readonly until?: string;
  readonly partition?: string;
  readonly offset?: string;
  readonly limit?: string;
}

export const STAGES = ['decode', 'validate', 'project', 'deliver'] as const;

export const NO_FILTER: DlqFilter = {
  codes: [],
  stages: [],
  types: [],
  keys: [],
  since: undefined,
  until: undefined,
  partitions: [],
  offsets: [],
  limit: undefined,
};

export function parseFilter(options: FilterOptions, now: number): Parsed<DlqFilter> {
  const problems: string[] = [];
  const list = (values: readonly string[] | undefined): string[] =>
    (values ?? [])
      .flatMap((value) => value.split(','))
      .map((value) => value.trim())
      .filter((value) => value !== '');
  const stages = list(options.stage);
  for (const stage of stages) {
    if (!(STAGES as readonly string[]).includes(stage))
      problems.push(`--stage ${stage}: must be one of ${STAGES.join(', ')}`);
  }
  const instant = (name: string, text: string | undefined): number | undefined => {
    if (text === undefined) return undefined;
    const parsed = parseInstant(text, now);
    if (!parsed.ok) problems.push(`${name}: ${parsed.message}`);
    return parsed.ok ? parsed.value : undefined;
  };
  const since = instant('--since', options.since);
  const until = instant('--until', options.until);
  if (since !== undefined && until !== undefined && since > until) problems.push('--since is after --until');
  const ranges = (name: string, text: string | undefined): NumberRange[] => {
    if (text === undefined) return [];
    const parsed = parseRanges(text);
    if (!parsed.ok) problems.push(`${name}: ${parsed.message}`);
    return parsed.ok ? parsed.value : [];
  };
  const partitions = ranges('--partition', options.partition);
  const offsets = ranges('--offset', options.offset);
  let limit: number | undefined;
  if (options.limit !== undefined) {
    limit = /^\d+$/.test(options.limit) ? Number(options.limit) : Number.NaN;
    if (!Number.isSafeInteger(limit) || limit < 1)
      problems.push(`--limit ${options.limit}: must be a positive integer`);
  }
  if (problems.length > 0) return { ok: false, message: problems.join('\n') };
  return {
    ok: true,
    value: {
      codes: list(options.code),
      stages,
      types: list(options.type),
      keys: list(options.key),
      since,
      until,
      partitions,
      offsets,
      limit,
    },
  };
}

/**
 * `3`, `0-2`, `100-`, `-50`, comma-separated: inclusive ranges of non-negative integers.
 * An open end means "to the end" / "from the start".
 */
export function parseRanges(text: string): Parsed<NumberRange[]> {
  const result: NumberRange[] = [];
  for (const part of text.split(',').map((piece) => piece.trim())) {
    const match = /^(\d*)(-?)(\d*)$/.exec(part);
    const [, from = '', dash = '', to = ''] = match ?? [];
    if (match === null || part === '' || part === '-' || (dash === '' && to !== '')) {
      return { ok: false, message: `${JSON.stringify(part)} is not a number or range like 3, 0-2, 100- or -50` };
    }
    const range = {
      from: from === '' ? 0 : Number(from),
      to: dash === '' ? Number(from) : to === '' ? Number.MAX_SAFE_INTEGER : Number(to),
    };
    if (range.from > range.to) return { ok: false, message: `${JSON.stringify(part)} ends before it starts` };
    result.push(range);
  }
  return { ok: true, value: result };
}

/** True when the record passes every given criterion (`--limit` is applied by the caller, in order). */
export function matchesFilter(view: DeadLetterView, filter: DlqFilter): boolean {
  const within = (ranges: readonly NumberRange[], value: number): boolean =>
    ranges.length === 0 || ranges.some((range) => value >= range.from && value <= range.to);
  const oneOf = (allowed: readonly string[], ...values: (string | undefined)[]): boolean =>
    allowed.length === 0 || values.some((value) => value !== undefined && allowed.includes(value));
  return (
    oneOf(filter.codes, view.info.errorCode) &&
    oneOf(filter.stages, view.info.stage) &&
    oneOf(filter.types, view.eventType, metricOf(view)) &&
    oneOf(filter.keys, view.key ?? undefined) &&
    (filter.since === undefined || view.failedAtMs >= filter.since) &&
    (filter.until === undefined || view.failedAtMs <= filter.until) &&
    within(filter.partitions, view.record.partition) &&
    within(filter.offsets, view.offset)
  );
}

/** The filter as audit records and dry runs print it: only the criteria that were given. */
export function describeFilter(filter: DlqFilter): Record<string, unknown> {
  const described: Record<string, unknown> = {};
  if (filter.codes.length > 0) described.code = filter.codes;
  if (filter.stages.length > 0) described.stage = filter.stages;
  if (filter.types.length > 0) described.type = filter.types;
  if (filter.keys.length > 0) described.key = filter.keys;
  if (filter.since !== undefined) described.since = new Date(filter.since).toISOString();
  if (filter.until !== undefined) described.until = new Date(filter.until).toISOString();
  const ranges = (list: readonly NumberRange[]): string[] =>
    list.map((range) =>
      range.from === range.to
        ? String(range.from)
        : `${range.from}-${range.to === Number.MAX_SAFE_INTEGER ? '' : range.to}`,
    );
  if (filter.partitions.length > 0) described.partition = ranges(filter.partitions);
  if (filter.offsets.length > 0) described.offset = ranges(filter.offsets);
  if (filter.limit !== undefined) described.limit = filter.limit;
  return described;
}
