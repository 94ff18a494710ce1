import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { given, withData } from '../../testing/spec.ts';

const example = loadExample('InvoiceCreated');

describe('Created Invoice', () => {
  it("carries the guide's order properties, MissingInformation and the value in major units", () => {
    const request = given(example).thenEvent();
    const attributes = request.body.data.attributes;
    expect(request.metric).toBe('Created Invoice');
    expect(attributes.properties).toMatchObject({
      OrderId: '1234',
      Categories: ['Fiction', 'Children'],
      ItemNames: ['Winnie the Pooh'],
      DiscountCode: 'Free Shipping',
      DiscountValue: 5,
      MissingInformation: ['Signature'],
    });
    expect(attributes.value).toBe(9.99);
    expect(attributes.value_currency).toBe('USD');
    expect(attributes.time).toBe('2023-10-31T00:00:00+00:00');
    expect(request.uniqueId).toBe(example.data.invoiceId);
  });

  it('leaves out the discount and addresses the invoice does not have', () => {
    const bare = withData(example, { discount: null, billingAddress: null, shippingAddress: null });
    const properties = given(bare).thenEvent().body.data.attributes.properties;
    for (const key of ['DiscountCode', 'DiscountValue', 'BillingAddress', 'ShippingAddress']) {
      expect(properties).not.toHaveProperty(key);
    }
  });

  it('converts by the currency exponent: JPY has no minor unit, KWD has three', () => {
    const yen = withData(example, { currency: 'JPY', totalMinor: 1500 });
    const dinar = withData(example, { currency: 'KWD', totalMinor: 1500 });
    expect(given(yen).thenEvent().body.data.attributes.value).toBe(1500);
    expect(given(dinar).thenEvent().body.data.attributes.value).toBe(1.5);
  });

  it('fails with PROJECTION_FAILED for a currency that is not ISO 4217', () => {
    const error = given(withData(example, { currency: 'ABC' })).thenFails('PROJECTION_FAILED');
    expect(error.detail).toMatchObject({ currency: 'ABC' });
    expect(error.message).toContain('is not an ISO 4217 currency');
  });
});
