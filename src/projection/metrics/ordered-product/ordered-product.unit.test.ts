import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { asEvent, given, withData } from '../../testing/spec.ts';

const example = loadExample('OrderPlaced');
const [item] = example.data.lineItems;
const twoLines = withData(example, {
  totalMinor: 2997,
  lineItems: [item!, { ...item!, lineItemId: '2', quantity: 2, rowTotalMinor: 1998 }],
});

describe('Ordered Product', () => {
  it('follows Placed Order, one per line item, on the same profile and outbound key', () => {
    const [placed, ...products] = given(twoLines).thenRequests().map(asEvent);
    expect(products.map((product) => product.metric)).toEqual(['Ordered Product', 'Ordered Product']);
    for (const product of products) {
      expect(product.profileKey).toBe(placed!.profileKey);
      expect(product.body.data.attributes.profile).toEqual(placed!.body.data.attributes.profile);
    }
  });

  it('keeps two lines of the same product apart: unique_id is orderId:lineItemId', () => {
    const products = given(twoLines).thenRequests().slice(1).map(asEvent);
    expect(products.map((product) => product.uniqueId)).toEqual(['1234:1', '1234:2']);
  });

  it('is valued at the line total, with the product properties of the order convention', () => {
    const second = asEvent(given(twoLines).thenRequests()[2]);
    expect(second.body.data.attributes.value).toBe(19.98);
    expect(second.body.data.attributes.properties).toEqual({
      OrderId: '1234',
      ProductID: '1111',
      SKU: 'WINNIEPOOH',
      ProductName: 'Winnie the Pooh',
      Quantity: 2,
      ItemPrice: 9.99,
      RowTotal: 19.98,
      ProductURL: 'http://www.example.com/path/to/product',
      ImageURL: 'http://www.example.com/path/to/product/image.png',
      Categories: ['Fiction', 'Children'],
    });
  });

  it('feeds analytics, not a waiting person: eligible for the bulk lane', () => {
    expect(asEvent(given(example).thenRequests()[1]).realtime).toBe(false);
  });

  it('yields only Placed Order for an order without lines', () => {
    expect(given(withData(example, { lineItems: [] })).thenRequests()).toHaveLength(1);
  });
});
