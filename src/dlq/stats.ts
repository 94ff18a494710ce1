/** `dlq list` / `dlq stats`: counts of dead letters by what went wrong, where, what and when. Pure. */
import type { DeadLetterView } from './record-view.ts';

export interface DlqStats {
  readonly topic: string;
  readonly total: number;
  readonly oldest: string | undefined;
  readonly newest: string | undefined;
  readonly byCode: Readonly<Record<string, number>>;
  readonly byStage: Readonly<Record<string, number>>;
  readonly byType: Readonly<Record<string, number>>;
  readonly byOriginalTopic: Readonly<Record<string, number>>;
  /** Failure hour, `2026-11-26T20:00Z`. */
  readonly byHour: Readonly<Record<string, number>>;
  readonly byReplayCount: Readonly<Record<string, number>>;
}

export function computeStats(topic: string, views: Iterable<DeadLetterView>): DlqStats {
  const groups = {
    byCode: new Map<string, number>(),
    byStage: new Map<string, number>(),
    byType: new Map<string, number>(),
    byOriginalTopic: new Map<string, number>(),
    byHour: new Map<string, number>(),
    byReplayCount: new Map<string, number>(),
  };
  const bump = (map: Map<string, number>, key: string): void => {
    map.set(key, (map.get(key) ?? 0) + 1);
  };
  let total = 0;
  let oldest = Number.POSITIVE_INFINITY;
  let newest = Number.NEGATIVE_INFINITY;
  for (const view of views) {
    total += 1;
    bump(groups.byCode, view.info.errorCode ?? '(none)');
    bump(groups.byStage, view.info.stage ?? '(none)');
    bump(groups.byType, view.eventType);
    bump(groups.byOriginalTopic, view.info.originalTopic ?? '(none)');
    bump(groups.byHour, hourOf(view.failedAtMs));
    bump(groups.byReplayCount, String(view.info.replayCount));
    if (Number.isFinite(view.failedAtMs)) {
      oldest = Math.min(oldest, view.failedAtMs);
      newest = Math.max(newest, view.failedAtMs);
    }
  }
  const sorted = (map: Map<string, number>, byKey = false): Record<string, number> =>
    Object.fromEntries(
      [...map.entries()].sort(([a, countA], [b, countB]) =>
        byKey ? a.localeCompare(b) : countB - countA || a.localeCompare(b),
      ),
    );
  return {
    topic,
    total,
    oldest: Number.isFinite(oldest) ? new Date(oldest).toISOString() : undefined,
    newest: Number.isFinite(newest) ? new Date(newest).toISOString() : undefined,
    byCode: sorted(groups.byCode),
    byStage: sorted(groups.byStage),
    byType: sorted(groups.byType),
    byOriginalTopic: sorted(groups.byOriginalTopic),
    byHour: sorted(groups.byHour, true),
    byReplayCount: sorted(groups.byReplayCount, true),
  };
}

export function hourOf(millis: number): string {
  if (!Number.isFinite(millis)) return '(unknown)';
  return `${new Date(millis).toISOString().slice(0, 13)}:00Z`;
}

/** The human table: one section per grouping, counts right-aligned. */
export function formatStats(stats: DlqStats): string {
  const lines = [
    `${stats.topic}: ${stats.total} dead letter${stats.total === 1 ? '' : 's'}` +
      (stats.total > 0 ? ` (oldest ${stats.oldest ?? '?'}, newest ${stats.newest ?? '?'})` : ''),
  ];
  const sections: [string, Readonly<Record<string, number>>][] = [
    ['error code', stats.byCode],
    ['stage', stats.byStage],
    ['event type', stats.byType],
    ['original topic', stats.byOriginalTopic],
    ['hour (UTC)', stats.byHour],
    ['replay count', stats.byReplayCount],
  ];
  for (const [title, counts] of sections) {
    const entries = Object.entries(counts);
    if (entries.length === 0) continue;
    const width = Math.max(title.length, ...entries.map(([name]) => name.length));
    const countWidth = Math.max(5, ...entries.map(([, count]) => String(count).length));
    lines.push(
      '',
      `${title.padEnd(width)}  ${'count'.padStart(countWidth)}`,
      `${'-'.repeat(width)}  ${'-'.repeat(countWidth)}`,
    );
    for (const [name, count] of entries) lines.push(`${name.padEnd(width)}  ${String(count).padStart(countWidth)}`);
  }
  return `${lines.join('\n')}\n`;
}
