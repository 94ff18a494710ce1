/**
 * OrderPlaced → one Ordered Product per line item, Klaviyo's order convention: product-level metrics
 * (which products sell, to whom) come from these, the order confirmation from Placed Order. The value is
 * the line's total; unique_id is orderId:lineItemId, so two lines of the same product stay two events.
 */
import type { OrderPlaced } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toMajorUnits } from '../../money.ts';
import { uniqueIds } from '../../unique-id.ts';
import { itemProperties } from '../shared/order-properties.ts';

export function orderedProducts(event: OrderPlaced, ctx: ProjectionContext): EventDraft[] {
  const profile = buildEventProfile(event.customer, { identifiers: ctx.identifiers, path: 'customer' });
  return event.lineItems.map((item, index) => {
    const path = `lineItems[${index}]`;
    return {
      kind: 'create-event',
      metric: METRICS.orderedProduct,
      uniqueId: uniqueIds.orderedProduct(event.orderId, item.lineItemId),
      properties: { OrderId: event.orderId, ...itemProperties(item, event.currency, path) },
      value: toMajorUnits(item.rowTotalMinor, event.currency, `${path}.rowTotalMinor`),
      profile,
    };
  });
}
