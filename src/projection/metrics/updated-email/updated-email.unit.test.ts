import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { UNRESOLVED_PROFILE_ID } from '../../../klaviyo/request.ts';
import { asEvent, asProfileUpdate, given, withData } from '../../testing/spec.ts';

const example = loadExample('EmailChanged');

describe('Updated Email', () => {
  it('updates the profile first, then records Updated Email with the new address, on one outbound key', () => {
    const [first, second, ...rest] = given(example).thenRequests();
    expect(rest).toHaveLength(0);
    const update = asProfileUpdate(first);
    const event = asEvent(second);
    expect(update.body).toEqual({
      data: { type: 'profile', id: '01H81WC034AKRMQJQARPEEBHJE', attributes: { email: 'john.smith@example.net' } },
    });
    expect(update.profileId).toBe('01H81WC034AKRMQJQARPEEBHJE');
    expect(event.metric).toBe('Updated Email');
    expect(event.body.data.attributes.profile.data.attributes.email).toBe('john.smith@example.net');
    expect(event.body.data.attributes.properties).toEqual({
      OldEmail: 'john.smith@example.com',
      NewEmail: 'john.smith@example.net',
    });
    expect(update.profileKey).toBe(event.profileKey);
    expect([update.requestId, event.requestId]).toEqual([`${example.data.eventId}:0`, `${example.data.eventId}:1`]);
  });

  it('leaves the profile id to the dispatcher when the producer does not know it, with a lookup', () => {
    const unknownId = withData(example, { customer: { ...example.data.customer, klaviyoProfileId: null } });
    const update = asProfileUpdate(given(unknownId).thenRequests()[0]);
    expect(update.profileId).toBeUndefined();
    expect(update.body.data.id).toBe(UNRESOLVED_PROFILE_ID);
    expect(update.lookup).toEqual({ external_id: '1234', email: 'john.smith@example.com' });
  });

  it('does not look profiles up by external_id when the relay does not send external_id', () => {
    const unknownId = withData(example, { customer: { ...example.data.customer, klaviyoProfileId: null } });
    const update = asProfileUpdate(
      given(unknownId)
        .when({ identifiers: ['email'] })
        .thenRequests()[0],
    );
    expect(update.lookup).toEqual({ email: 'john.smith@example.com' });
  });

  it('uses the new address even if the customer record still carries the old one', () => {
    const stale = withData(example, { customer: { ...example.data.customer, email: 'john.smith@example.com' } });
    const event = asEvent(given(stale).thenRequests()[1]);
    expect(event.body.data.attributes.profile.data.attributes.email).toBe('john.smith@example.net');
  });
});
