/**
 * What each domain event becomes in Klaviyo (DESIGN.md §2), for the catalogue. Metric names come from the
 * projection's METRICS, so the catalogue cannot name a metric the relay does not send; the record is
 * keyed by event type, so a new event without a row here does not compile.
 */
import type { DomainEventType } from '../../domain/events.ts';
import { METRICS } from '../../projection/metrics.ts';

export interface EventOutput {
  /** A Klaviyo metric, or a profile operation. */
  readonly output: string;
  readonly note: string;
  readonly uniqueId: string | undefined;
}

const metric = (name: string, uniqueId: string, note = ''): EventOutput => ({ output: name, note, uniqueId });

export const EVENT_OUTPUTS: Readonly<Record<DomainEventType, readonly EventOutput[]>> = {
  AccountCreated: [metric(METRICS.createdAccount, 'accountId')],
  AccountUpdated: [
    metric(METRICS.updatedAccount, 'eventId', 'properties UpdateType, UpdatedProperties, OldValues, NewValues'),
  ],
  EmailChanged: [
    {
      output: 'Update Profile (PATCH)',
      note: 'sets the new email first, so the event lands on it',
      uniqueId: undefined,
    },
    metric(METRICS.updatedEmail, 'eventId'),
  ],
  PasswordResetRequested: [
    metric(METRICS.resetPassword, 'eventId', 'profile property PasswordResetLink; stale links are backfilled'),
  ],
  InvoiceCreated: [metric(METRICS.createdInvoice, 'invoiceId', 'MissingInformation[]')],
  OrderPlaced: [
    metric(METRICS.placedOrder, 'orderId'),
    metric(METRICS.orderedProduct, 'orderId:lineItemId', 'one per line item'),
  ],
  PaymentFailed: [metric(METRICS.failedPayment, 'orderId:paymentAttemptId', 'PaymentFailure, PaymentNextSteps')],
  ShipmentStatusChanged: [
    metric(METRICS.shippingUpdate, 'shipmentId:status', 'UpdateType: Shipped, Out for delivery, Delivered'),
  ],
  LeadCaptured: [
    metric(METRICS.becameLead, 'leadId', "on the prospect's profile"),
    metric(METRICS.newLead, 'leadId', "on the routed sales rep's profile"),
  ],
};

export function outputsOf(eventType: string): readonly EventOutput[] {
  return Object.hasOwn(EVENT_OUTPUTS, eventType) ? EVENT_OUTPUTS[eventType as DomainEventType] : [];
}
