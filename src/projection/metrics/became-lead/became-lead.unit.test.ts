import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { asEvent, given, withData } from '../../testing/spec.ts';

const example = loadExample('LeadCaptured');

describe('Became Lead', () => {
  it("is recorded on the prospect's profile with Action and MostRecentLeadSource", () => {
    const becameLead = asEvent(given(example).thenRequests()[0]);
    expect(becameLead.metric).toBe('Became Lead');
    expect(becameLead.uniqueId).toBe('1234');
    expect(becameLead.body.data.attributes.properties).toEqual({ Action: 'Filled out whitepaper request form' });
    expect(becameLead.body.data.attributes.profile.data.attributes).toMatchObject({
      email: 'john.smith@example.com',
      phone_number: '+15551234567',
      first_name: 'John',
      last_name: 'Smith',
      location: { address1: '123 Abc St', city: 'Boston' },
      properties: { MostRecentLeadSource: 'Whitepaper request form' },
    });
  });

  it('is keyed by the prospect email when the lead has no account yet', () => {
    expect(asEvent(given(example).thenRequests()[0]).profileKey).toBe('email:john.smith@example.com');
    const customer = withData(example, { prospect: { ...example.data.prospect, customerId: 'c-9' } });
    expect(asEvent(given(customer).thenRequests()[0]).profileKey).toBe('external_id:c-9');
  });

  it('is the only request when no routing rules are configured', () => {
    const requests = given(example).when({ routing: undefined }).thenRequests();
    expect(requests.map((request) => asEvent(request).metric)).toEqual(['Became Lead']);
  });

  it('refuses a prospect with neither email, phone nor Klaviyo id (nothing identifies the profile)', () => {
    const anonymous = withData(example, {
      prospect: { ...example.data.prospect, email: null, phone: null, klaviyoProfileId: null },
    });
    const error = given(anonymous).thenFails('NO_PROFILE_IDENTIFIER');
    expect(error.stage).toBe('project');
  });
});
