import { describe, expect, it } from 'vitest';
import { loadExample } from '../domain/examples.ts';
import { buildEventProfile, profileKeyOf } from './identity.ts';

const customer = loadExample('AccountCreated').data.customer;

describe('profile identity', () => {
  it('sends the configured identifiers, names and a location without empty fields', () => {
    const profile = buildEventProfile(customer, { identifiers: ['external_id', 'phone_number'], path: 'customer' });
    expect(profile.id).toBe('01H81WC034AKRMQJQARPEEBHJE');
    expect(profile.attributes).toEqual({
      external_id: '1234',
      phone_number: '+15551234567',
      first_name: 'John',
      last_name: 'Smith',
      location: { address1: '123 Abc St', city: 'Boston', country: 'United States', region: 'MA', zip: '02110' },
    });
  });

  it('leaves out a location with no field set', () => {
    const empty = {
      address1: null,
      address2: null,
      city: null,
      region: null,
      country: null,
      zip: null,
      timezone: null,
    };
    const profile = buildEventProfile({ ...customer, location: empty }, { identifiers: ['email'], path: 'customer' });
    expect(profile.attributes).not.toHaveProperty('location');
  });

  it('accepts Klaviyo’s profile id alone as an identifier', () => {
    const onlyId = { ...customer, email: null, phone: null };
    expect(() => buildEventProfile(onlyId, { identifiers: ['email'], path: 'customer' })).not.toThrow();
    expect(() =>
      buildEventProfile({ ...onlyId, klaviyoProfileId: null }, { identifiers: ['email'], path: 'customer' }),
    ).toThrow(/customer has none of the profile identifiers the relay sends \(email\)/);
  });

  it('keys the outbound topic by the most stable identity, whatever is sent', () => {
    expect(profileKeyOf(customer)).toBe('external_id:1234');
    expect(profileKeyOf({ ...customer, customerId: null, email: 'John@Example.com' } as never)).toBe(
      'email:john@example.com',
    );
  });
});
