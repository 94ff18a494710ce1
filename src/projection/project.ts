/**
 * The projection: a domain event in, the Klaviyo requests it means out. Pure and deterministic: the same
 * event and context always give the same requests (ids, bodies, order), nothing here reads a clock, the
 * environment, a file or a logger. Errors are data: a RelayError with a code from the failure policy
 * (PROJECTION_FAILED, KLAVIYO_LIMIT_EXCEEDED, NO_PROFILE_IDENTIFIER, UNKNOWN_EVENT_TYPE), never a throw.
 */
import type { DomainEvent } from '../domain/events.ts';
import { isRelayError, RelayError } from '../errors.ts';
import type { KlaviyoRequest } from '../klaviyo/request.ts';
import { assemble } from './assemble.ts';
import type { ProjectionContext } from './context.ts';
import type { RequestDraft } from './draft.ts';
import { becameLead } from './metrics/became-lead/became-lead.ts';
import { createdAccount } from './metrics/created-account/created-account.ts';
import { createdInvoice } from './metrics/created-invoice/created-invoice.ts';
import { failedPayment } from './metrics/failed-payment/failed-payment.ts';
import { newLead } from './metrics/new-lead/new-lead.ts';
import { orderedProducts } from './metrics/ordered-product/ordered-product.ts';
import { placedOrder } from './metrics/placed-order/placed-order.ts';
import { resetPassword } from './metrics/reset-password/reset-password.ts';
import { shippingUpdate } from './metrics/shipping-update/shipping-update.ts';
import { updatedAccount } from './metrics/updated-account/updated-account.ts';
import { updatedEmail } from './metrics/updated-email/updated-email.ts';
import { checkEventTime } from './time.ts';

export type ProjectionResult =
  | { readonly ok: true; readonly requests: readonly KlaviyoRequest[] }
  | { readonly ok: false; readonly error: RelayError };

export function project(event: DomainEvent, ctx: ProjectionContext): ProjectionResult {
  try {
    checkEventTime(event.data.occurredAt, ctx.now, 'occurredAt');
    return { ok: true, requests: assemble(event, draftsFor(event, ctx), ctx) };
  } catch (error) {
    if (isRelayError(error)) return { ok: false, error };
    // A bug of ours, not a bad event: INTERNAL is retried, never dead-lettered (src/errors.ts).
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: new RelayError('INTERNAL', `projection of ${String(event.type)} failed unexpectedly: ${message}`, {
        cause: error,
        stage: 'project',
        detail: { eventType: String(event.type) },
      }),
    };
  }
}

/** Which metrics an event becomes, in the order Klaviyo must receive them. */
function draftsFor(event: DomainEvent, ctx: ProjectionContext): RequestDraft[] {
  switch (event.type) {
    case 'AccountCreated':
      return [createdAccount(event.data, ctx)];
    case 'AccountUpdated':
      return [updatedAccount(event.data, ctx)];
    case 'EmailChanged':
      return updatedEmail(event.data, ctx);
    case 'PasswordResetRequested':
      return [resetPassword(event.data, ctx)];
    case 'InvoiceCreated':
      return [createdInvoice(event.data, ctx)];
    case 'OrderPlaced':
      return [placedOrder(event.data, ctx), ...orderedProducts(event.data, ctx)];
    case 'PaymentFailed':
      return [failedPayment(event.data, ctx)];
    case 'ShipmentStatusChanged':
      return [shippingUpdate(event.data, ctx)];
    case 'LeadCaptured':
      // Without routing rules there is nobody to tell: the lead is still recorded on the prospect.
      return ctx.routing === undefined
        ? [becameLead(event.data, ctx)]
        : [becameLead(event.data, ctx), newLead(event.data, ctx.routing)];
    default:
      return unknownEventType(event);
  }
}

/** Compile-time: every event type has a case. Run time: an event from untyped input (JSON) may not. */
function unknownEventType(event: never): never {
  const type = (event as { type?: unknown }).type;
  throw new RelayError('UNKNOWN_EVENT_TYPE', `no projection for event type ${JSON.stringify(type)}`, {
    stage: 'project',
    detail: { eventType: String(type) },
  });
}
