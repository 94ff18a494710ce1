import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { asEvent, given, withData } from '../../testing/spec.ts';

const example = loadExample('OrderPlaced');

describe('Placed Order', () => {
  it('comes first, with the order properties, value and the payment method', () => {
    const placed = asEvent(given(example).thenRequests()[0]);
    expect(placed.metric).toBe('Placed Order');
    expect(placed.uniqueId).toBe('1234');
    expect(placed.body.data.attributes.value).toBe(9.99);
    expect(placed.body.data.attributes.properties).toMatchObject({
      OrderId: '1234',
      ItemNames: ['Winnie the Pooh'],
      Items: [{ ProductID: '1111', SKU: 'WINNIEPOOH', Quantity: 1, ItemPrice: 9.99, RowTotal: 9.99 }],
      BillingAddress: { FirstName: 'John', City: 'Boston', CountryCode: 'US', Zip: '02110' },
      PaymentMethod: 'Visa ending 4242',
    });
  });

  it('lists each category once across items, in first-seen order', () => {
    const [item] = example.data.lineItems;
    const order = withData(example, {
      lineItems: [item!, { ...item!, lineItemId: '2', name: 'Paddington', categories: ['Children', 'Bears'] }],
    });
    const placed = asEvent(given(order).thenRequests()[0]);
    expect(placed.body.data.attributes.properties.Categories).toEqual(['Fiction', 'Children', 'Bears']);
    expect(placed.body.data.attributes.properties.ItemNames).toEqual(['Winnie the Pooh', 'Paddington']);
  });

  it('is a confirmation a customer waits for: real-time', () => {
    expect(asEvent(given(example).thenRequests()[0]).realtime).toBe(true);
  });
});
