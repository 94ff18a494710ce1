/**
 * The Klaviyo metrics the relay records, named exactly as Klaviyo's transactional-events guide names them
 * (a metric name is an account-wide identity in Klaviyo: a typo makes a second metric and breaks flows).
 */
export const METRICS = {
  createdAccount: 'Created Account',
  updatedAccount: 'Updated Account',
  updatedEmail: 'Updated Email',
  resetPassword: 'Reset Password',
  createdInvoice: 'Created Invoice',
  placedOrder: 'Placed Order',
  orderedProduct: 'Ordered Product',
  failedPayment: 'Failed Payment',
  shippingUpdate: 'Shipping Update',
  becameLead: 'Became Lead',
  newLead: 'New Lead',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

export const METRIC_NAMES: readonly MetricName[] = Object.values(METRICS);

export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/**
 * Real-time lane or eligible for the dispatcher's bulk lane during catch-up. Real-time are the metrics a
 * person is waiting on (a reset link, a confirmation, a delivery notice, a rep's new lead); batched are
 * those that feed analytics and segments, where seconds of delay change nothing. A stale (backfilled)
 * request fires no flow, so nobody waits for it: it is never real-time.
 */
export const REALTIME_METRICS: Readonly<Record<MetricName, boolean>> = {
  'Created Account': true,
  'Updated Account': true,
  'Updated Email': true,
  'Reset Password': true,
  'Created Invoice': true,
  'Placed Order': true,
  'Ordered Product': false,
  'Failed Payment': true,
  'Shipping Update': true,
  'Became Lead': false,
  'New Lead': true,
};
