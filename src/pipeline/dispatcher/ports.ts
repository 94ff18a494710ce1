/**
 * What the dispatcher needs from the Klaviyo side, as an injected function: the delivery engine takes a
 * batch of requests and settles each one. The dispatcher owns ordering, commits, dead letters, pausing
 * and halting; the engine owns HTTP, the rate limiter and the bulk lane.
 */
import type { DeliveryOutcome } from '../../klaviyo/deliver/outcome.ts';
import type { KlaviyoRequest } from '../../klaviyo/request.ts';

/**
 * The engine's own outcome type, one for the whole path: Klaviyo's real HTTP status travels with it
 * (`httpStatus`) from the client to the dispatcher's metrics, logs and dead letters.
 */
export type { DeliveryOutcome } from '../../klaviyo/deliver/outcome.ts';

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
