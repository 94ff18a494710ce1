/**
 * What the dispatcher needs from the Klaviyo side, as an injected function: the delivery engine takes a
 * batch of requests and settles each one. The dispatcher owns ordering, commits, dead letters, pausing
 * and halting; the engine owns HTTP, the rate limiter and the bulk lane.
 */
import type { RelayError } from '../../errors.ts';
import type { KlaviyoRequest } from '../../klaviyo/request.ts';

export type DeliveryOutcome =
  /** Klaviyo accepted it (202, or 200 for a profile update). */
  | { readonly kind: 'delivered'; readonly status: number }
  /** Klaviyo will never accept it as it is (400/404/409/422): dead-letter with Klaviyo's status and errors. */
  | { readonly kind: 'failed-permanently'; readonly error: RelayError }
  /** Try the same request later (429, 5xx, timeouts); never dead-letter. */
  | { readonly kind: 'retry-later'; readonly error: RelayError; readonly retryAfterMs?: number }
  /** Klaviyo refused our credentials (401/403): stop delivering everything. */
  | { readonly kind: 'halted'; readonly error: RelayError };

/** How far behind the dispatcher is, so the engine can choose the bulk lane when catching up. */
export interface Backlog {
  /** Records between this batch and the partition's high watermark. */
  readonly records: number;
  /** Age of the oldest request in the batch (from its Kafka timestamp). */
  readonly oldestAgeMs: number;
}

/**
 * Settles every request; the outcomes are in the same order as the requests. Must not throw. When `signal`
 * aborts, requests not yet sent come back `retry-later` with DELIVERY_ABORTED, promptly.
 */
export type DeliverBatch = (
  requests: readonly KlaviyoRequest[],
  backlog: Backlog,
  signal?: AbortSignal,
) => Promise<readonly DeliveryOutcome[]>;

/** Endpoint family for circuit breaking and metrics: one Klaviyo outage rarely takes down all of them. */
export type EndpointFamily = 'events' | 'profiles';

export function endpointFamily(request: KlaviyoRequest): EndpointFamily {
  return request.kind === 'create-event' ? 'events' : 'profiles';
}
