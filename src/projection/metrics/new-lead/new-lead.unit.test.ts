import { describe, expect, it } from 'vitest';
import { loadExample } from '../../../domain/examples.ts';
import { asEvent, given, withData } from '../../testing/spec.ts';
import { FALLBACK_RULE } from './new-lead.ts';

const example = loadExample('LeadCaptured');

describe('New Lead', () => {
  it("is recorded on the routed rep's profile with the guide's lead properties and the routing decision", () => {
    const newLead = asEvent(given(example).thenRequests()[1]);
    expect(newLead.metric).toBe('New Lead');
    expect(newLead.uniqueId).toBe('1234');
    expect(newLead.body.data.attributes.properties).toEqual({
      LeadFirstName: 'John',
      LeadLastName: 'Smith',
      LeadPhoneNumber: '+15551234567',
      LeadEmailAddress: 'john.smith@example.com',
      LeadAction: 'Filled out whitepaper request form',
      LeadSource: 'Whitepaper request form',
      RoutingRule: 'new-england-whitepaper',
      AssignedRepName: expect.stringMatching(/^(Alice Adams|Bob Brown)$/),
    });
    const repEmail = newLead.body.data.attributes.profile.data.attributes.email;
    expect(['alice.adams@example.com', 'bob.brown@example.com']).toContain(repEmail);
    expect(newLead.profileKey).toBe(`email:${repEmail}`);
    expect(newLead.realtime).toBe(true);
  });

  it('goes to the fallback queue when no rule matches, and says so', () => {
    const elsewhere = withData(example, { countryCode: 'JP', regionCode: null });
    const newLead = asEvent(given(elsewhere).thenRequests()[1]);
    expect(newLead.body.data.attributes.profile.data.attributes).toEqual({ email: 'sales-leads@example.com' });
    expect(newLead.body.data.attributes.properties).toMatchObject({
      RoutingRule: FALLBACK_RULE,
      AssignedRepName: 'Sales lead queue',
    });
  });

  it('routes a replay of the same lead to the same rep', () => {
    const replay = withData(example, { eventId: '7f3c2a10-5b6d-4e8f-9a1b-0000000000dd' });
    const first = asEvent(given(example).thenRequests()[1]).body.data.attributes.profile;
    const second = asEvent(
      given(replay)
        .when({ now: example.data.occurredAt + 86_400_000 })
        .thenRequests()[1],
    ).body.data.attributes.profile;
    expect(second).toEqual(first);
  });

  it('leaves out lead details the prospect did not give', () => {
    const emailOnly = withData(example, {
      prospect: { ...example.data.prospect, phone: null, firstName: null, lastName: null },
    });
    const properties = asEvent(given(emailOnly).thenRequests()[1]).body.data.attributes.properties;
    for (const key of ['LeadFirstName', 'LeadLastName', 'LeadPhoneNumber']) expect(properties).not.toHaveProperty(key);
  });
});
