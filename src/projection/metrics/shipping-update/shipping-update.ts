/**
 * ShipmentStatusChanged → Shipping Update, with the guide's UpdateType values (Shipped, Out for delivery,
 * Delivered) that flows branch on, the order's items and shipping address, and the tracking details.
 * unique_id is shipmentId:status: each status of each shipment notifies once, and two shipments of one
 * order are two notices.
 */
import type { ShipmentStatus, ShipmentStatusChanged } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile, optional } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toMajorUnits } from '../../money.ts';
import { uniqueIds } from '../../unique-id.ts';
import { orderProperties } from '../shared/order-properties.ts';

/** The guide's UpdateType wording for each domain status. */
export const UPDATE_TYPES: Readonly<Record<ShipmentStatus, string>> = {
  Shipped: 'Shipped',
  OutForDelivery: 'Out for delivery',
  Delivered: 'Delivered',
};

export function shippingUpdate(event: ShipmentStatusChanged, ctx: ProjectionContext): EventDraft {
  return {
    kind: 'create-event',
    metric: METRICS.shippingUpdate,
    uniqueId: uniqueIds.shippingUpdate(event.shipmentId, event.status),
    properties: {
      // The guide's order: OrderId, then UpdateType, then the order details (spreading keeps the positions).
      OrderId: event.orderId,
      UpdateType: UPDATE_TYPES[event.status],
      ...orderProperties(event),
      ShipmentId: event.shipmentId,
      ...optional('Carrier', event.carrier),
      ...optional('TrackingNumber', event.trackingNumber),
      ...optional('TrackingURL', event.trackingUrl),
    },
    value: toMajorUnits(event.totalMinor, event.currency, 'totalMinor'),
    profile: buildEventProfile(event.customer, { identifiers: ctx.identifiers, path: 'customer' }),
  };
}
