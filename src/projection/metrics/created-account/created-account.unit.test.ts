import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { given, withData } from '../../testing/spec.ts';

const example = loadExample('AccountCreated');

describe('Created Account', () => {
  it('is recorded on the new customer profile, once per account', () => {
    const request = given(example).thenEvent();
    expect(request.metric).toBe('Created Account');
    expect(request.uniqueId).toBe(example.data.customer.customerId);
    expect(request.body.data.attributes.profile.data.attributes).toMatchObject({
      external_id: '1234',
      email: 'john.smith@example.com',
      phone_number: '+15551234567',
      first_name: 'John',
      last_name: 'Smith',
      location: { address1: '123 Abc St', city: 'Boston', country: 'United States', region: 'MA', zip: '02110' },
    });
    expect(request.realtime).toBe(true);
  });

  it('gives two publications of the same account the same unique_id, and other accounts another', () => {
    const republished = withData(example, { eventId: '7f3c2a10-5b6d-4e8f-9a1b-0000000000ff' });
    const other = withData(example, { customer: { ...example.data.customer, customerId: '5678' } });
    expect(given(republished).thenEvent().uniqueId).toBe(given(example).thenEvent().uniqueId);
    expect(given(other).thenEvent().uniqueId).not.toBe(given(example).thenEvent().uniqueId);
  });

  it('sends only the identifiers the configuration allows', () => {
    const attributes = given(example)
      .when({ identifiers: ['email'] })
      .thenEvent().body.data.attributes.profile.data.attributes;
    expect(attributes.email).toBe('john.smith@example.com');
    expect(attributes).not.toHaveProperty('external_id');
    expect(attributes).not.toHaveProperty('phone_number');
  });

  it('fails with NO_PROFILE_IDENTIFIER when the customer has none of the allowed identifiers', () => {
    const anonymous = withData(example, {
      customer: { ...example.data.customer, email: null, phone: null, klaviyoProfileId: null },
    });
    const error = given(anonymous)
      .when({ identifiers: ['email', 'phone_number'] })
      .thenFails('NO_PROFILE_IDENTIFIER');
    expect(error.message).toContain('customer');
  });
});
