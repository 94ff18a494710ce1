/**
 * PaymentFailed → Failed Payment: why it failed (PaymentFailure), what to do (PaymentNextSteps) and all the
 * order information. unique_id is orderId:paymentAttemptId: each failed attempt is its own notice.
 */
import type { PaymentFailed } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile, optional } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toMajorUnits } from '../../money.ts';
import { uniqueIds } from '../../unique-id.ts';
import { orderProperties } from '../shared/order-properties.ts';

export function failedPayment(event: PaymentFailed, ctx: ProjectionContext): EventDraft {
  const order = orderProperties(event);
  return {
    kind: 'create-event',
    metric: METRICS.failedPayment,
    uniqueId: uniqueIds.failedPayment(event.orderId, event.paymentAttemptId),
    // The guide's order: OrderId first, then the failure, then the order details.
    properties: {
      OrderId: event.orderId,
      PaymentFailure: event.failureReason,
      ...optional('PaymentNextSteps', event.nextSteps),
      ...order,
    },
    value: toMajorUnits(event.totalMinor, event.currency, 'totalMinor'),
    profile: buildEventProfile(event.customer, { identifiers: ctx.identifiers, path: 'customer' }),
  };
}
