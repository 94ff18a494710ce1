/**
 * Adapts the delivery engine of src/klaviyo/deliver to the dispatcher's DeliverBatch port: asks for the
 * bulk lane when the dispatcher is catching up on Kafka (RELAY_BULK_BACKLOG_THRESHOLD / _AGE_THRESHOLD_MS;
 * the engine also takes it on its own whenever the Create Event lane has a backlog) and turns
 * anything thrown into a retry (never a lost request). The engine's outcomes pass through as they are,
 * with the HTTP status Klaviyo really answered.
 */
import { RelayError } from '../../errors.ts';
import type { Deliverer } from '../../klaviyo/deliver/deliverer.ts';
import { shouldUseBulkLane, type BulkLaneThresholds } from '../../klaviyo/deliver/bulk-plan.ts';
import type { DeliverBatch, DeliveryOutcome } from './ports.ts';

export function createEngineDeliverer(engine: Deliverer, thresholds: BulkLaneThresholds): DeliverBatch {
  return async (requests, backlog, signal) => {
    const useBulkLane = shouldUseBulkLane({ backlog: backlog.records, oldestAgeMs: backlog.oldestAgeMs }, thresholds);
    try {
      return await engine.deliver(requests, { useBulkLane, ...(signal ? { signal } : {}) });
    } catch (thrown) {
      const error = new RelayError('INTERNAL', thrown instanceof Error ? thrown.message : String(thrown), {
        cause: thrown,
      });
      return requests.map((request): DeliveryOutcome => ({
        status: 'retry-later',
        request,
        error,
        retryAfterMs: 0,
        httpStatus: undefined,
      }));
    }
  };
}
