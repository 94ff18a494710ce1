/**
 * What the audit topic holds: one JSON record per replay, park and purge, saying who did what to which
 * dead letters, when, and with what result. The coordinates of the dead letters an operation handled are
 * kept as offset ranges, so `list`, `stats` and later replays can leave them out.
 */
import { z } from 'zod';
import type { PartitionRanges } from './offset-ranges.ts';

export const AUDIT_OPERATIONS = ['replay', 'park', 'purge'] as const;
export type AuditOperation = (typeof AUDIT_OPERATIONS)[number];

/**
 * A replay or park writes `started` before its first record moves (so an interrupted one shows in
 * `dlq audit`) and `completed` when it is done; a purge is instant and writes `completed` only.
 */
export const AUDIT_STATUSES = ['started', 'completed'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

export interface AuditRecord {
  readonly v: 1;
  readonly auditId: string;
  readonly operation: AuditOperation;
  readonly status: AuditStatus;
  readonly actor: string;
  readonly host: string;
  /** ISO 8601 time the operation started (status started) or finished (status completed). */
  readonly at: string;
  /** The command line as given, secrets scrubbed. */
  readonly command: readonly string[];
  readonly dlqTopic: string;
  readonly filter: Readonly<Record<string, unknown>>;
  readonly replayId: string | undefined;
  readonly options: Readonly<Record<string, unknown>>;
  readonly counts: Readonly<Record<string, number>>;
  /**
   * Dead letters this operation took care of (replayed, parked or purged): left out of later listings.
   * Empty on a `started` record: nothing is handled until the operation completes.
   */
  readonly handled: readonly PartitionRanges[];
}

const rangesSchema = z.array(
  z.object({
    partition: z.number().int().min(0),
    ranges: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])),
  }),
);

const auditSchema = z.object({
  v: z.literal(1),
  auditId: z.string(),
  operation: z.enum(AUDIT_OPERATIONS),
  // Records written before statuses existed were all written on completion.
  status: z.enum(AUDIT_STATUSES).default('completed'),
  actor: z.string(),
  host: z.string(),
  at: z.string(),
  command: z.array(z.string()),
  dlqTopic: z.string(),
  filter: z.record(z.string(), z.unknown()),
  replayId: z.string().optional(),
  options: z.record(z.string(), z.unknown()),
  counts: z.record(z.string(), z.number()),
  handled: rangesSchema,
});

/** Parses one audit record's value; anything else on the topic is reported, not trusted. */
export function parseAuditRecord(value: Buffer | null): AuditRecord | undefined {
  if (value === null) return undefined;
  try {
    const parsed = auditSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? { ...parsed.data, replayId: parsed.data.replayId } : undefined;
  } catch {
    return undefined;
  }
}

export function serializeAuditRecord(record: AuditRecord): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** The human table of `dlq audit`. */
export function formatAuditTable(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'no audit records\n';
  const rows = records.map((record) => [
    record.at,
    record.operation,
    record.status,
    record.actor,
    record.dlqTopic,
    record.replayId ?? '-',
    Object.entries(record.counts)
      .filter(([, count]) => count > 0)
      .map(([name, count]) => `${name}=${count}`)
      .join(' '),
    Object.keys(record.filter).length === 0 ? '(all)' : JSON.stringify(record.filter),
  ]);
  const header = ['at', 'operation', 'status', 'actor', 'dlq', 'replay id', 'counts', 'filter'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n')}\n`;
}
