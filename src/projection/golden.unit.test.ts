/**
 * Golden tests: each example in schemas/examples projects to the payload Klaviyo's transactional-events
 * guide shows for it. The guide's JSON has typos, `...` elisions and an older layout; its fields and values
 * are written below where the current API (revision 2026-07-15) reads them: custom profile properties
 * under profile.data.attributes.properties, time and unique_id inside data.attributes, times with an
 * offset. The explicit assertions pin the guide's names and values, so updating the file snapshots in
 * __golden__/ cannot silently change them; the snapshots pin everything else.
 *
 * Where we knowingly differ from the guide's example, it is said next to the value.
 */
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from '../domain/events.ts';
import { loadExample } from '../domain/examples.ts';
import type { CreateEventBody } from '../klaviyo/request.ts';
import { asEvent, given } from './testing/spec.ts';

const JOHN = {
  // The guide's address is obfuscated ("[email protected]"); the examples use a real-looking one.
  email: 'john.smith@example.com',
  phone_number: '+15551234567',
  first_name: 'John',
  last_name: 'Smith',
};
const ORDER_PROPERTIES = {
  OrderId: '1234',
  Categories: ['Fiction', 'Children'],
  ItemNames: ['Winnie the Pooh'],
  DiscountCode: 'Free Shipping',
  DiscountValue: 5,
  Items: [
    {
      ProductID: '1111',
      SKU: 'WINNIEPOOH',
      ProductName: 'Winnie the Pooh',
      Quantity: 1,
      ItemPrice: 9.99,
      RowTotal: 9.99,
      ProductURL: 'http://www.example.com/path/to/product',
      ImageURL: 'http://www.example.com/path/to/product/image.png',
      Categories: ['Fiction', 'Children'],
    },
  ],
};
const ADDRESS = {
  FirstName: 'John',
  LastName: 'Smith',
  Address1: '123 Abc St',
  City: 'Boston',
  RegionCode: 'MA',
  CountryCode: 'US',
  Zip: '02110',
  Phone: '+15551234567',
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };
type GuideBody = DeepPartial<CreateEventBody> & { data: { attributes: Record<string, unknown> } };

function guideEvent(metric: string, attributes: Record<string, unknown>, profile: Record<string, unknown>): GuideBody {
  return {
    data: {
      type: 'event',
      attributes: {
        ...attributes,
        metric: { data: { type: 'metric', attributes: { name: metric } } },
        profile: { data: { type: 'profile', ...profile } },
      },
    },
  };
}

/** The guide's payloads, per metric, in the current layout. */
const GUIDE: Record<string, GuideBody> = {
  'Created Account': guideEvent(
    'Created Account',
    // The guide's unique_id "1234" is the account id (DESIGN.md: Created Account → accountId).
    { time: '2023-10-15T00:00:00+00:00', unique_id: '1234' },
    {
      id: '01H81WC034AKRMQJQARPEEBHJE',
      attributes: {
        ...JOHN,
        location: { address1: '123 Abc St', city: 'Boston', country: 'United States', region: 'MA' },
      },
    },
  ),
  'Updated Account': guideEvent(
    'Updated Account',
    {
      properties: {
        UpdateType: 'Property Update',
        UpdatedProperties: ['Favorite colors', 'Birthday'],
        OldValues: { Birthday: '', FavoriteColors: ['green', 'yellow'] },
        NewValues: { Birthday: '1989-01-18 00:00:00', FavoriteColors: ['green', 'yellow', 'black'] },
      },
      time: '2023-10-15T00:00:00+00:00',
    },
    {
      id: '01H81WC034AKRMQJQARPEEBHJE',
      attributes: {
        ...JOHN,
        location: { address1: '123 Abc St', city: 'Boston', country: 'USA', region: 'MA', zip: '02110' },
        // The guide mixes an old FavoriteColors with the new Birthday; the profile gets the new values.
        properties: { FavoriteColors: ['green', 'yellow', 'black'], Birthday: '1989-01-18 00:00:00' },
      },
    },
  ),
  'Reset Password': guideEvent(
    'Reset Password',
    { time: '2023-10-15T00:00:00+00:00' },
    {
      id: '01H81WC034AKRMQJQARPEEBHJE',
      attributes: {
        email: JOHN.email,
        properties: { PasswordResetLink: 'https://www.website.com/reset/1234567890987654321' },
      },
    },
  ),
  'Created Invoice': guideEvent(
    'Created Invoice',
    {
      properties: { ...ORDER_PROPERTIES, BillingAddress: ADDRESS, ShippingAddress: ADDRESS },
      // The guide has two `time`s; the one inside attributes is the event's.
      time: '2023-10-31T00:00:00+00:00',
      value: 9.99,
      unique_id: '1234',
    },
    { id: '01GDDKASAP8TKDDA2GRZDSVP4H', attributes: { email: JOHN.email, phone_number: JOHN.phone_number } },
  ),
  'Placed Order': guideEvent(
    'Placed Order',
    {
      properties: { ...ORDER_PROPERTIES, BillingAddress: ADDRESS, ShippingAddress: ADDRESS },
      time: '2023-10-31T00:00:00+00:00',
      value: 9.99,
      unique_id: '1234',
    },
    { id: '01GDDKASAP8TKDDA2GRZDSVP4H', attributes: { email: JOHN.email } },
  ),
  'Failed Payment': guideEvent(
    'Failed Payment',
    {
      properties: {
        ...ORDER_PROPERTIES,
        PaymentFailure: 'Credit card not accepted',
        PaymentNextSteps: 'Please use a different payment method or contact your credit card provider.',
      },
      time: '2023-10-31T00:00:00+00:00',
      value: 9.99,
    },
    { id: '01GDDKASAP8TKDDA2GRZDSVP4H', attributes: { email: JOHN.email } },
  ),
  'Shipping Update': guideEvent(
    'Shipping Update',
    {
      properties: { ...ORDER_PROPERTIES, UpdateType: 'Out for delivery', ShippingAddress: ADDRESS },
      time: '2023-10-31T00:00:00+00:00',
      value: 9.99,
    },
    { id: '01GDDKASAP8TKDDA2GRZDSVP4H', attributes: { email: JOHN.email } },
  ),
  'Became Lead': guideEvent(
    'Became Lead',
    {
      properties: { Action: 'Filled out whitepaper request form' },
      time: '2023-10-15T00:00:00+00:00',
      unique_id: '1234',
    },
    {
      id: '01H81WC034AKRMQJQARPEEBHJE',
      attributes: {
        ...JOHN,
        location: { address1: '123 Abc St', city: 'Boston' },
        properties: { MostRecentLeadSource: 'Whitepaper request form' },
      },
    },
  ),
  'New Lead': guideEvent(
    'New Lead',
    {
      properties: {
        LeadFirstName: 'John',
        LeadLastName: 'Smith',
        // The guide writes "5551234567"; we pass the producer's E.164 number through unchanged.
        LeadPhoneNumber: '+15551234567',
        LeadEmailAddress: JOHN.email,
        LeadAction: 'Filled out whitepaper request form',
      },
      time: '2023-10-15T00:00:00+00:00',
      unique_id: '1234',
    },
    // The guide's example copies the prospect's profile here; New Lead belongs on the rep's profile.
    { attributes: {} },
  ),
};

const PROJECTS_TO: Record<DomainEventType, readonly string[]> = {
  AccountCreated: ['Created Account'],
  AccountUpdated: ['Updated Account'],
  EmailChanged: ['Updated Email'],
  PasswordResetRequested: ['Reset Password'],
  InvoiceCreated: ['Created Invoice'],
  OrderPlaced: ['Placed Order', 'Ordered Product'],
  PaymentFailed: ['Failed Payment'],
  ShipmentStatusChanged: ['Shipping Update'],
  LeadCaptured: ['Became Lead', 'New Lead'],
};

describe('golden: schemas/examples → the guide payloads', () => {
  it.each(DOMAIN_EVENT_TYPES)('%s', async (type) => {
    const example = loadExample(type);
    const requests = given(example).thenRequests();
    const events = requests.filter((request) => request.kind === 'create-event').map(asEvent);
    expect(events.map((event) => event.metric)).toEqual(PROJECTS_TO[type]);
    for (const event of events) {
      const guide = GUIDE[event.metric];
      if (guide !== undefined) expect(event.body, event.metric).toMatchObject(guide);
    }
    await expect(`${JSON.stringify(requests, null, 2)}\n`).toMatchFileSnapshot(`./__golden__/${type}.json`);
  });

  it('covers every metric the guide gives a payload for', () => {
    const produced = new Set(Object.values(PROJECTS_TO).flat());
    expect(Object.keys(GUIDE).filter((metric) => !produced.has(metric))).toEqual([]);
  });
});
