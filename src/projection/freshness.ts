/**
 * Freshness windows: a transactional message that arrives too late does harm (a reset link mailed two hours
 * after the person gave up). A request for an event older than its metric's window is sent with
 * `backfill: true`, so Klaviyo records it on the profile without firing a flow.
 * Configured as `Reset Password=1h,Shipping Update=2d` (RELAY_FRESHNESS_WINDOWS).
 */
import { RelayError } from '../errors.ts';
import { isMetricName, METRIC_NAMES, type MetricName } from './metrics.ts';

export type FreshnessWindows = ReadonlyMap<MetricName, number>;

export const DEFAULT_FRESHNESS_WINDOWS = 'Reset Password=1h';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Parses the windows setting; an empty string means no windows. Names the entry that is wrong. */
export function parseFreshnessWindows(text: string, variable = 'RELAY_FRESHNESS_WINDOWS'): FreshnessWindows {
  const windows = new Map<MetricName, number>();
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const separator = entry.lastIndexOf('=');
    const metric = entry.slice(0, Math.max(separator, 0)).trim();
    const duration = separator < 0 ? '' : entry.slice(separator + 1).trim();
    if (separator < 0 || !isMetricName(metric)) {
      invalid(
        variable,
        `${JSON.stringify(entry)}: expected "<metric>=<duration>" with a metric among ${METRIC_NAMES.join(', ')}`,
      );
    }
    const match = DURATION.exec(duration);
    const amount = match?.[1];
    const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
    if (amount === undefined || unit === undefined || Number(amount) <= 0) {
      invalid(variable, `${JSON.stringify(entry)}: duration must be positive, like 90s, 15m, 1h or 2d`);
    }
    if (windows.has(metric)) invalid(variable, `${JSON.stringify(metric)} has more than one window`);
    windows.set(metric, Number(amount) * UNIT_MS[unit]);
  }
  return windows;
}

/** True when the event is older than its metric's window at `now`; metrics without a window never are. */
export function isStale(metric: MetricName, occurredAt: number, now: number, windows: FreshnessWindows): boolean {
  const window = windows.get(metric);
  return window !== undefined && now - occurredAt > window;
}

/**
 * What a dead-letter replay asks of one record's projection (`dlq replay --backfill` / `--max-age`, carried
 * as record headers and read at the edge): record its events without firing flows, all of them or those
 * older than a bound. Ordinary records carry none, which is `NO_BACKFILL_HINT`.
 */
export interface BackfillHint {
  /** Every request projected from the record is backfilled. */
  readonly backfill: boolean;
  /** Requests for events that occurred longer ago than this (epoch-millis span) are backfilled. */
  readonly maxAgeMs: number | undefined;
}

export const NO_BACKFILL_HINT: BackfillHint = Object.freeze({ backfill: false, maxAgeMs: undefined });

/** The freshness decision: stale for its metric's window, or the record's backfill hint says so. */
export function mustBackfill(
  metric: MetricName,
  occurredAt: number,
  now: number,
  windows: FreshnessWindows,
  hint: BackfillHint = NO_BACKFILL_HINT,
): boolean {
  return (
    hint.backfill ||
    (hint.maxAgeMs !== undefined && now - occurredAt > hint.maxAgeMs) ||
    isStale(metric, occurredAt, now, windows)
  );
}

function invalid(variable: string, message: string): never {
  throw new RelayError('CONFIG_INVALID', `${variable}: ${message}`, { detail: { variable } });
}
