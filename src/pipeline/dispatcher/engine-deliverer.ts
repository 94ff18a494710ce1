/**
 * Adapts the delivery engine of src/klaviyo/deliver to the dispatcher's DeliverBatch port: chooses the
 * bulk lane when the dispatcher is catching up (RELAY_BULK_BACKLOG_THRESHOLD / _AGE_THRESHOLD_MS), maps
 * the engine's outcomes to the port's, and turns anything thrown into a retry (never a lost request).
 */
import { RelayError } from '../../errors.ts';
import type { Deliverer } from '../../klaviyo/deliver/deliverer.ts';
import { shouldUseBulkLane, type BulkLaneThresholds } from '../../klaviyo/deliver/bulk-plan.ts';
import type { DeliveryOutcome as EngineOutcome } from '../../klaviyo/deliver/outcome.ts';
import type { DeliverBatch, DeliveryOutcome } from './ports.ts';

export function createEngineDeliverer(engine: Deliverer, thresholds: BulkLaneThresholds): DeliverBatch {
  return async (requests, backlog, signal) => {
    const useBulkLane = shouldUseBulkLane({ backlog: backlog.records, oldestAgeMs: backlog.oldestAgeMs }, thresholds);
    try {
      const outcomes = await engine.deliver(requests, { useBulkLane, ...(signal ? { signal } : {}) });
      return outcomes.map(toPortOutcome);
    } catch (thrown) {
      const error = new RelayError('INTERNAL', thrown instanceof Error ? thrown.message : String(thrown), {
        cause: thrown,
      });
      return requests.map((): DeliveryOutcome => ({ kind: 'retry-later', error }));
    }
  };
}

function toPortOutcome(outcome: EngineOutcome): DeliveryOutcome {
  switch (outcome.status) {
    case 'delivered':
      return { kind: 'delivered', status: outcome.lane === 'bulk' ? 202 : outcome.lane === 'profile' ? 200 : 202 };
    case 'failed-permanently':
      return { kind: 'failed-permanently', error: outcome.error };
    case 'retry-later':
      return { kind: 'retry-later', error: outcome.error, retryAfterMs: outcome.retryAfterMs };
    case 'halted':
      return { kind: 'halted', error: outcome.error };
    default:
      return outcome satisfies never;
  }
}
