/** Per-item results of a delivery batch (Segment's destinations report batches the same way). */
import type { RelayError } from '../../errors.ts';
import type { KlaviyoRequest } from '../request.ts';

export type DeliveryOutcome =
  | { readonly status: 'delivered'; readonly request: KlaviyoRequest; readonly lane: 'create' | 'bulk' | 'profile' }
  /** Klaviyo will never accept it as it is: dead-letter with Klaviyo's errors (in `error.detail.errors`). */
  | { readonly status: 'failed-permanently'; readonly request: KlaviyoRequest; readonly error: RelayError }
  /** Try again later (after `retryAfterMs`); nothing is lost. Later requests of the same profile wait too. */
  | {
      readonly status: 'retry-later';
      readonly request: KlaviyoRequest;
      readonly error: RelayError;
      readonly retryAfterMs: number;
    }
  /** Our credentials were refused (401/403): stop delivering, keep everything in Kafka. */
  | { readonly status: 'halted'; readonly request: KlaviyoRequest; readonly error: RelayError };

export function outcomeForError(request: KlaviyoRequest, error: RelayError, retryAfterMs: number): DeliveryOutcome {
  switch (error.action) {
    case 'dead-letter':
      return { status: 'failed-permanently', request, error };
    case 'retry':
      return { status: 'retry-later', request, error, retryAfterMs: error.retryAfterMs ?? retryAfterMs };
    case 'halt':
      return { status: 'halted', request, error };
    default: {
      const exhaustive: never = error.action;
      return exhaustive;
    }
  }
}
