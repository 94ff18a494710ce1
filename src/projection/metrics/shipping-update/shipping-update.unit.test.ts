import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { given, withData } from '../../testing/spec.ts';

const example = loadExample('ShipmentStatusChanged');

describe('Shipping Update', () => {
  it.each([
    ['Shipped', 'Shipped'],
    ['OutForDelivery', 'Out for delivery'],
    ['Delivered', 'Delivered'],
  ] as const)('status %s is UpdateType "%s"', (status, updateType) => {
    const request = given(withData(example, { status })).thenEvent();
    expect(request.metric).toBe('Shipping Update');
    expect(request.body.data.attributes.properties.UpdateType).toBe(updateType);
    expect(request.uniqueId).toBe(`1234-1:${status}`);
  });

  it('carries the order, the shipping address and the tracking details', () => {
    const properties = given(example).thenEvent().body.data.attributes.properties;
    expect(Object.keys(properties).slice(0, 2)).toEqual(['OrderId', 'UpdateType']);
    expect(properties).toMatchObject({
      OrderId: '1234',
      ItemNames: ['Winnie the Pooh'],
      ShippingAddress: { FirstName: 'John', Address1: '123 Abc St', RegionCode: 'MA', CountryCode: 'US' },
      ShipmentId: '1234-1',
      Carrier: 'UPS',
      TrackingNumber: '1Z999AA10123456784',
      TrackingURL: 'https://www.ups.com/track?tracknum=1Z999AA10123456784',
    });
  });

  it('notifies two shipments of one order separately', () => {
    const second = withData(example, { shipmentId: '1234-2' });
    expect(given(second).thenEvent().uniqueId).not.toBe(given(example).thenEvent().uniqueId);
  });

  it('dead-letters a status newer than the relay (the enum default Unknown) instead of guessing a notice', () => {
    const error = given(withData(example, { status: 'Unknown' })).thenFails('PROJECTION_FAILED');
    expect(error.stage).toBe('project');
    expect(error.message).toMatch(/upgrade the relay, then replay/);
  });

  it('leaves out tracking details the carrier did not give', () => {
    const untracked = withData(example, { carrier: null, trackingNumber: null, trackingUrl: null });
    const properties = given(untracked).thenEvent().body.data.attributes.properties;
    for (const key of ['Carrier', 'TrackingNumber', 'TrackingURL']) expect(properties).not.toHaveProperty(key);
  });
});
