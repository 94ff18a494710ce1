/**
 * The order properties Klaviyo's guide uses on Created Invoice, Placed Order, Failed Payment and Shipping
 * Update, with its property names to the letter (OrderId, Categories, ItemNames, DiscountCode,
 * DiscountValue, Items[…], BillingAddress, ShippingAddress). Money is in major units of the order currency.
 * Absent optional values are left out rather than sent as null (a null would read as "set to nothing").
 */
import type { Discount, LineItem, PostalAddress } from '../../../domain/events.ts';
import type { Properties } from '../../draft.ts';
import { optional } from '../../identity.ts';
import { toMajorUnits } from '../../money.ts';

export interface OrderFacts {
  readonly orderId: string;
  readonly currency: string;
  readonly lineItems: readonly LineItem[];
  readonly discount: Discount | null;
  readonly billingAddress?: PostalAddress | null;
  readonly shippingAddress: PostalAddress | null;
}

export function orderProperties(order: OrderFacts): Properties {
  return {
    OrderId: order.orderId,
    Categories: distinct(order.lineItems.flatMap((item) => item.categories)),
    ItemNames: order.lineItems.map((item) => item.name),
    ...(order.discount === null
      ? {}
      : {
          DiscountCode: order.discount.code,
          DiscountValue: toMajorUnits(order.discount.valueMinor, order.currency, 'discount.valueMinor').value,
        }),
    Items: order.lineItems.map((item, index) => itemProperties(item, order.currency, `lineItems[${index}]`)),
    ...(order.billingAddress === undefined || order.billingAddress === null
      ? {}
      : { BillingAddress: addressProperties(order.billingAddress) }),
    ...(order.shippingAddress === null ? {} : { ShippingAddress: addressProperties(order.shippingAddress) }),
  };
}

/** One line item, as the guide's `Items[]` entries read. */
export function itemProperties(item: LineItem, currency: string, path: string): Properties {
  return {
    ProductID: item.productId,
    ...optional('SKU', item.sku),
    ProductName: item.name,
    Quantity: item.quantity,
    ItemPrice: toMajorUnits(item.unitPriceMinor, currency, `${path}.unitPriceMinor`).value,
    RowTotal: toMajorUnits(item.rowTotalMinor, currency, `${path}.rowTotalMinor`).value,
    ...optional('ProductURL', item.productUrl),
    ...optional('ImageURL', item.imageUrl),
    Categories: [...item.categories],
  };
}

export function addressProperties(address: PostalAddress): Properties {
  return {
    ...optional('FirstName', address.firstName),
    ...optional('LastName', address.lastName),
    ...optional('Company', address.company),
    Address1: address.address1,
    ...optional('Address2', address.address2),
    City: address.city,
    ...optional('RegionCode', address.regionCode),
    CountryCode: address.countryCode,
    ...optional('Zip', address.zip),
    ...optional('Phone', address.phone),
  };
}

function distinct(values: readonly string[]): string[] {
  return [...new Set(values)];
}
