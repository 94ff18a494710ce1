/**
 * Urgency classes: which Klaviyo requests a person is waiting on, and so which go first when the account's
 * budget is short. Pure: the rules come from config, the class from the request.
 *
 * - urgent: a person is waiting for this mail right now (a reset link expires within the hour).
 * - high:   transactional mail expected within a minute or two (order confirmation, failed payment, welcome,
 *           email change, a rep's new lead).
 * - normal: transactional but tolerant of minutes (shipping notices, invoices, lead nurture, account updates).
 * - low:    feeds segments and analytics only (Ordered Product), and anything already backfilled (no flow fires
 *           for it, so nobody waits).
 *
 * No-starvation rule (applied by the rate limiter among its waiters): urgent is always served first; a waiter
 * of any other class is promoted one class for every `promoteAfterMs` it has waited, up to high (never into
 * urgent, whose reserved headroom is for urgent alone), and waiters of the same effective class are served in
 * arrival order. So a request of class k waits at most (k − 1) × promoteAfterMs before it ranks with high,
 * and then only behind high requests that arrived before it, plus urgent traffic — which is bounded by the
 * rate of password resets, the one class allowed to delay everything else.
 */
import type { KlaviyoRequest } from './request.ts';

export const URGENCY_CLASSES = ['urgent', 'high', 'normal', 'low'] as const;

export type UrgencyClass = (typeof URGENCY_CLASSES)[number];

export function isUrgencyClass(value: string): value is UrgencyClass {
  return (URGENCY_CLASSES as readonly string[]).includes(value);
}

/** 0 for urgent, 3 for low: a smaller rank is served first. */
export function urgencyRank(urgency: UrgencyClass): number {
  return URGENCY_CLASSES.indexOf(urgency);
}

/** The guide's metrics by class (Klaviyo metric names, exactly as the projection writes them). */
export const DEFAULT_METRIC_URGENCY: Readonly<Record<string, UrgencyClass>> = {
  'Reset Password': 'urgent',
  'Placed Order': 'high',
  'Failed Payment': 'high',
  'Created Account': 'high',
  'Updated Email': 'high',
  'New Lead': 'high',
  'Shipping Update': 'normal',
  'Created Invoice': 'normal',
  'Became Lead': 'normal',
  'Updated Account': 'normal',
  'Ordered Product': 'low',
};

/** Thirty seconds per class: a low request ranks with high after a minute at most. */
export const DEFAULT_PROMOTE_AFTER_MS = 30_000;

export interface UrgencyRules {
  /** Metric → class; a metric not listed is `normal`. */
  readonly byMetric: Readonly<Record<string, UrgencyClass>>;
  /** A waiter is promoted one class per this many ms waited (up to high). */
  readonly promoteAfterMs: number;
}

export const DEFAULT_URGENCY_RULES: UrgencyRules = {
  byMetric: DEFAULT_METRIC_URGENCY,
  promoteAfterMs: DEFAULT_PROMOTE_AFTER_MS,
};

/** Operator overrides (RELAY_URGENCY_CLASSES) on top of the guide's defaults. */
export function urgencyRules(
  overrides: Readonly<Record<string, UrgencyClass>> = {},
  promoteAfterMs = DEFAULT_PROMOTE_AFTER_MS,
): UrgencyRules {
  return { byMetric: { ...DEFAULT_METRIC_URGENCY, ...overrides }, promoteAfterMs };
}

/** The class of one Create Event request: its metric's, or low once backfilled (no flow will fire). */
export function metricUrgency(metric: string, backfill: boolean, rules: UrgencyRules): UrgencyClass {
  if (backfill) return 'low';
  return rules.byMetric[metric] ?? 'normal';
}

/**
 * Classes of a batch, in its order. A Create Event takes its metric's class. A profile update takes the class
 * of the event it was projected with and precedes (EmailChanged: the PATCH, then Updated Email), found by the
 * shared source event id: the PATCH must not wait behind a backlog the Updated Email would jump, or per-profile
 * order would hold the Updated Email back. A profile update with no such event in the batch is `high` (the
 * class of Updated Email by default), so it never delays the event that follows it in a later batch.
 */
export function classifyRequests(requests: readonly KlaviyoRequest[], rules: UrgencyRules): UrgencyClass[] {
  const eventClassBySource = new Map<string, UrgencyClass>();
  for (const request of requests) {
    if (request.kind !== 'create-event') continue;
    const urgency = metricUrgency(request.metric, request.body.data.attributes.backfill === true, rules);
    const seen = eventClassBySource.get(request.source.eventId);
    // Several events from one domain event (Placed Order + Ordered Product): the most urgent one counts.
    if (seen === undefined || urgencyRank(urgency) < urgencyRank(seen)) {
      eventClassBySource.set(request.source.eventId, urgency);
    }
  }
  return requests.map((request) =>
    request.kind === 'create-event'
      ? metricUrgency(request.metric, request.body.data.attributes.backfill === true, rules)
      : (eventClassBySource.get(request.source.eventId) ?? 'high'),
  );
}

/**
 * The class a waiter competes with after waiting `waitedMs`: urgent stays urgent; any other class rises one
 * class per `promoteAfterMs`, up to high.
 */
export function effectiveRank(urgency: UrgencyClass, waitedMs: number, promoteAfterMs: number): number {
  const rank = urgencyRank(urgency);
  if (rank === 0) return 0;
  const promotions = promoteAfterMs > 0 ? Math.floor(Math.max(0, waitedMs) / promoteAfterMs) : 0;
  return Math.max(1, rank - promotions);
}
