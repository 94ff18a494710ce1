/**
 * Klaviyo records one event per (profile, metric, unique_id), so unique_id is built from the business keys
 * of the fact (DESIGN.md §2): a producer that publishes the same fact twice, or a replay, records it once,
 * while two distinct facts (two shipments of one order, two payment attempts) stay two events.
 * Facts without a business key of their own (an account update, a reset request) use the eventId.
 */
export const uniqueIds = {
  createdAccount: (accountId: string): string => accountId,
  updatedAccount: (eventId: string): string => eventId,
  updatedEmail: (eventId: string): string => eventId,
  resetPassword: (eventId: string): string => eventId,
  createdInvoice: (invoiceId: string): string => invoiceId,
  placedOrder: (orderId: string): string => orderId,
  orderedProduct: (orderId: string, lineItemId: string): string => `${orderId}:${lineItemId}`,
  failedPayment: (orderId: string, paymentAttemptId: string): string => `${orderId}:${paymentAttemptId}`,
  shippingUpdate: (shipmentId: string, status: string): string => `${shipmentId}:${status}`,
  becameLead: (leadId: string): string => leadId,
  newLead: (leadId: string): string => leadId,
} as const;
