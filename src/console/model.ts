/**
 * What each page shows, read through the dead-letter operations the CLI uses (src/dlq): the same
 * selection, filters, stats, `dlq show` rendering (and redaction), dry-run preview and audit. Nothing here
 * reads Kafka by itself.
 */
import { secretsOf, type Config } from '../config/config.ts';
import type { AuditRecord } from '../dlq/audit-record.ts';
import { NO_FILTER, parseFilter, type DlqFilter } from '../dlq/filter.ts';
import { readAudit, selectDeadLetters, type DlqContext } from '../dlq/operations.ts';
import type { DeadLetterView } from '../dlq/record-view.ts';
import { decodedValue } from '../dlq/schema-names.ts';
import { showDeadLetter, type ShownDeadLetter } from '../dlq/show.ts';
import { computeStats, type DlqStats } from '../dlq/stats.ts';
import { redactText } from '../observability/redact.ts';
import { SOURCE_TOPICS } from '../domain/topics.ts';
import { relayTopics } from '../pipeline/topics.ts';
import { filterOptionsFrom, includeHandledFrom } from './query.ts';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

/** The relay's dead-letter and parked topics, as the relay creates them (src/pipeline/topics.ts). */
export function deadLetterTopics(config: Config): { readonly dlq: string[]; readonly parked: string[] } {
  const sourceTopics = config.relay.sourceTopics.length > 0 ? config.relay.sourceTopics : SOURCE_TOPICS;
  const all = relayTopics({
    sourceTopics,
    outboundTopic: config.relay.outboundTopic,
    auditTopic: config.relay.auditTopic,
  });
  return {
    dlq: all.filter((topic) => topic.endsWith('.dlq')),
    parked: all.filter((topic) => topic.endsWith('.parked')),
  };
}

export function isConsoleTopic(config: Config, topic: string): boolean {
  const { dlq, parked } = deadLetterTopics(config);
  return dlq.includes(topic) || parked.includes(topic);
}

export interface TopicOverview {
  readonly topic: string;
  readonly kind: 'dlq' | 'parked';
  readonly exists: boolean;
  readonly stats: DlqStats;
  readonly handledHidden: number;
}

export async function overview(ctx: DlqContext): Promise<TopicOverview[]> {
  const { dlq, parked } = deadLetterTopics(ctx.config);
  const existing = new Set(await ctx.admin.listTopics());
  const result: TopicOverview[] = [];
  for (const [kind, topics] of [
    ['dlq', dlq],
    ['parked', parked],
  ] as const) {
    for (const topic of topics) {
      const exists = existing.has(topic);
      const selection = exists ? await selectDeadLetters(ctx, topic, NO_FILTER) : undefined;
      result.push({
        topic,
        kind,
        exists,
        stats: computeStats(topic, selection?.selected ?? []),
        handledHidden: selection?.handledSkipped ?? 0,
      });
    }
  }
  return result;
}

export function filterFrom(params: URLSearchParams, now: number): Parsed<DlqFilter> {
  return parseFilter(filterOptionsFrom(params), now);
}

/** A listing shows at most this many rows unless the filter's `limit` says otherwise. */
export const LIST_ROWS = 200;

export interface Listing {
  readonly topic: string;
  readonly rows: readonly DeadLetterView[];
  readonly stats: DlqStats;
  readonly handledHidden: number;
  readonly truncated: boolean;
  /** Error messages as `dlq show` prints them: secrets and link tokens scrubbed. */
  readonly redact: (text: string) => string;
}

export async function listing(ctx: DlqContext, topic: string, params: URLSearchParams): Promise<Parsed<Listing>> {
  const filter = filterFrom(params, ctx.now());
  if (!filter.ok) return filter;
  const selection = await selectDeadLetters(ctx, topic, filter.value, { includeHandled: includeHandledFrom(params) });
  const rows = selection.selected.slice(0, filter.value.limit ?? LIST_ROWS);
  return {
    ok: true,
    value: {
      topic,
      rows,
      stats: computeStats(topic, selection.selected),
      handledHidden: selection.handledSkipped,
      truncated: rows.length < selection.selected.length,
      redact: (text) => redactText(text, { secrets: secretsOf(ctx.config) }),
    },
  };
}

export interface Detail {
  readonly shown: ShownDeadLetter;
  readonly headers: readonly { readonly name: string; readonly value: string }[];
  readonly size: number;
  readonly keySize: number;
  readonly handled: boolean;
  readonly view: DeadLetterView;
}

export async function findRecord(
  ctx: DlqContext,
  topic: string,
  partition: number,
  offset: number,
): Promise<{ readonly view: DeadLetterView; readonly handled: boolean } | undefined> {
  const filter: DlqFilter = {
    ...NO_FILTER,
    partitions: [{ from: partition, to: partition }],
    offsets: [{ from: offset, to: offset }],
  };
  const selection = await selectDeadLetters(ctx, topic, filter, { includeHandled: true });
  const view = selection.selected[0];
  return view === undefined ? undefined : { view, handled: selection.handledIncluded > 0 };
}

export async function detail(
  ctx: DlqContext,
  topic: string,
  partition: number,
  offset: number,
): Promise<Detail | undefined> {
  const found = await findRecord(ctx, topic, partition, offset);
  if (found === undefined) return undefined;
  const { view } = found;
  const secrets = secretsOf(ctx.config);
  const shown = showDeadLetter(view, await decodedValue(ctx.schemas, view), { secrets });
  const headers = Object.entries(view.record.headers ?? {}).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).map((one: unknown) => ({
      name,
      value: redactText(Buffer.isBuffer(one) ? one.toString('utf8') : String(one), { secrets }),
    })),
  );
  return {
    shown,
    headers,
    size: view.record.value?.length ?? 0,
    keySize: view.record.key?.length ?? 0,
    handled: found.handled,
    view,
  };
}

export async function auditTrail(ctx: DlqContext, topic: string | undefined): Promise<AuditRecord[]> {
  return (await readAudit(ctx)).filter((record) => topic === undefined || record.dlqTopic === topic).reverse();
}
