/**
 * The one delivery outcome, per request, from the HTTP client up to the dispatcher (Segment's destinations
 * report batches the same way). `httpStatus` is what Klaviyo actually answered for this request (the
 * client's status, or the one its error carries); undefined when nothing came back from Klaviyo for it
 * (a network error, a local refusal, a request held back behind its profile's failure).
 */
import type { RelayError } from '../../errors.ts';
import type { KlaviyoRequest } from '../request.ts';

export type DeliveryOutcome =
  /** Klaviyo accepted it (202, or 200 for a profile update). */
  | {
      readonly status: 'delivered';
      readonly request: KlaviyoRequest;
      readonly lane: 'create' | 'bulk' | 'profile';
      readonly httpStatus: number;
    }
  /** Klaviyo will never accept it as it is: dead-letter with Klaviyo's errors (in `error.detail.errors`). */
  | {
      readonly status: 'failed-permanently';
      readonly request: KlaviyoRequest;
      readonly error: RelayError;
      readonly httpStatus: number | undefined;
    }
  /** Try again later (after `retryAfterMs`); nothing is lost. Later requests of the same profile wait too. */
  | {
      readonly status: 'retry-later';
      readonly request: KlaviyoRequest;
      readonly error: RelayError;
      readonly retryAfterMs: number;
      readonly httpStatus: number | undefined;
    }
  /** Our credentials were refused (401/403) or the client cannot send at all: stop, keep everything in Kafka. */
  | {
      readonly status: 'halted';
      readonly request: KlaviyoRequest;
      readonly error: RelayError;
      readonly httpStatus: number | undefined;
    };

/** The HTTP status a RelayError carries (set by the client from Klaviyo's answer), if any. */
export function httpStatusOf(error: RelayError): number | undefined {
  const status = error.detail['status'];
  return typeof status === 'number' ? status : undefined;
}

export function outcomeForError(request: KlaviyoRequest, error: RelayError, retryAfterMs: number): DeliveryOutcome {
  const httpStatus = httpStatusOf(error);
  switch (error.action) {
    case 'dead-letter':
      return { status: 'failed-permanently', request, error, httpStatus };
    case 'retry':
      return { status: 'retry-later', request, error, retryAfterMs: error.retryAfterMs ?? retryAfterMs, httpStatus };
    case 'halt':
      return { status: 'halted', request, error, httpStatus };
    default: {
      const exhaustive: never = error.action;
      return exhaustive;
    }
  }
}
