/**
 * OrderPlaced → Placed Order (the order confirmation), carrying the same order properties as Created
 * Invoice. Its Ordered Product events, one per line item, come from ../ordered-product.
 */
import type { OrderPlaced } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile, optional } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toMajorUnits } from '../../money.ts';
import { uniqueIds } from '../../unique-id.ts';
import { orderProperties } from '../shared/order-properties.ts';

export function placedOrder(event: OrderPlaced, ctx: ProjectionContext): EventDraft {
  return {
    kind: 'create-event',
    metric: METRICS.placedOrder,
    uniqueId: uniqueIds.placedOrder(event.orderId),
    // The guide lists the payment method among what an order confirmation shows.
    properties: { ...orderProperties(event), ...optional('PaymentMethod', event.paymentMethod) },
    value: toMajorUnits(event.totalMinor, event.currency, 'totalMinor'),
    profile: buildEventProfile(event.customer, { identifiers: ctx.identifiers, path: 'customer' }),
  };
}
