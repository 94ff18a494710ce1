/**
 * What waits for delivery, per urgency class (pure): the relay_class_backlog_requests and
 * relay_class_oldest_age_seconds gauges. Requests are classified together with the rest of their ledger, so
 * a profile update takes the class of the event it precedes, as the deliverer sees it (urgency.ts).
 */
import type { KlaviyoRequest } from '../../klaviyo/request.ts';
import { classifyRequests, URGENCY_CLASSES, type UrgencyClass, type UrgencyRules } from '../../klaviyo/urgency.ts';

export interface Waiting {
  readonly request: KlaviyoRequest;
  /** When it was written to Kafka (epoch ms). */
  readonly timestampMs: number;
}

export type ClassBacklog = Record<UrgencyClass, { requests: number; oldestAgeMs: number }>;

export function emptyClassBacklog(): ClassBacklog {
  return Object.fromEntries(
    URGENCY_CLASSES.map((urgency) => [urgency, { requests: 0, oldestAgeMs: 0 }]),
  ) as ClassBacklog;
}

/** Adds one ledger's waiting requests to `into` (several ledgers add up). */
export function addClassBacklog(
  into: ClassBacklog,
  waiting: readonly Waiting[],
  rules: UrgencyRules,
  nowMs: number,
): ClassBacklog {
  const classes = classifyRequests(
    waiting.map((item) => item.request),
    rules,
  );
  waiting.forEach((item, index) => {
    const tally = into[classes[index]!];
    tally.requests += 1;
    tally.oldestAgeMs = Math.max(tally.oldestAgeMs, nowMs - item.timestampMs);
  });
  return into;
}

/** The class of `request`, read with the requests that follow it for the same profile (its ledger queue). */
export function classInQueue(queue: readonly KlaviyoRequest[], rules: UrgencyRules): UrgencyClass {
  return classifyRequests(queue, rules)[0] ?? 'normal';
}
