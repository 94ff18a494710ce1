/**
 * ShipmentStatusChanged → Shipping Update, with the guide's UpdateType values (Shipped, Out for delivery,
 * Delivered) that flows branch on, the order's items and shipping address, and the tracking details.
 * unique_id is shipmentId:status: each status of each shipment notifies once, and two shipments of one
 * order are two notices.
 */
import type { ShipmentStatus, ShipmentStatusChanged } from '../../../domain/events.ts';
import { RelayError } from '../../../errors.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile, optional } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { toMajorUnits } from '../../money.ts';
import { uniqueIds } from '../../unique-id.ts';
import { orderProperties } from '../shared/order-properties.ts';

type KnownShipmentStatus = Exclude<ShipmentStatus, 'Unknown'>;

/** The guide's UpdateType wording for each domain status. */
export const UPDATE_TYPES: Readonly<Record<KnownShipmentStatus, string>> = {
  Shipped: 'Shipped',
  OutForDelivery: 'Out for delivery',
  Delivered: 'Delivered',
};

export function shippingUpdate(event: ShipmentStatusChanged, ctx: ProjectionContext): EventDraft {
  const status = event.status;
  if (status === 'Unknown') {
    // Avro's enum default: the producer wrote a status newer than this relay. A guessed notice would mail
    // the customer something untrue; dead-lettered, it waits for an upgrade and a replay.
    throw new RelayError(
      'PROJECTION_FAILED',
      `shipment ${event.shipmentId} has a status this relay does not know (read as Unknown); upgrade the relay, then replay the dead letter`,
      { detail: { path: 'data.status', shipmentId: event.shipmentId } },
    );
  }
  return {
    kind: 'create-event',
    metric: METRICS.shippingUpdate,
    uniqueId: uniqueIds.shippingUpdate(event.shipmentId, status),
    properties: {
      // The guide's order: OrderId, then UpdateType, then the order details (spreading keeps the positions).
      OrderId: event.orderId,
      UpdateType: UPDATE_TYPES[status],
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
