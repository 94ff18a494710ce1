/**
 * LeadCaptured → New Lead on the profile of the sales rep the routing rules choose, so the rep's flow mails
 * them the lead (LeadFirstName, LeadLastName, LeadPhoneNumber, LeadEmailAddress, LeadAction, as the guide
 * names them). The routing decision is recorded with it (RoutingRule, AssignedRepName), so "why did
 * Alice get this lead?" has an answer in Klaviyo. Reps are identified by email alone: they have no
 * account id, whatever the identifier settings for customers.
 */
import type { LeadCaptured } from '../../../domain/events.ts';
import type { EventDraft } from '../../draft.ts';
import { optional } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import type { RoutingRules } from '../../routing/rules.ts';
import { routeLead } from '../../routing/route.ts';
import { uniqueIds } from '../../unique-id.ts';

/** The RoutingRule property when no rule matched and the lead went to the fallback rep or queue. */
export const FALLBACK_RULE = '(fallback)';

export function newLead(event: LeadCaptured, rules: RoutingRules): EventDraft {
  // Judged at the lead's own time, so a replay routes the same way (see routing/route.ts).
  const decision = routeLead(event, rules, event.occurredAt);
  const lead = event.prospect;
  return {
    kind: 'create-event',
    metric: METRICS.newLead,
    uniqueId: uniqueIds.newLead(event.leadId),
    properties: {
      ...optional('LeadFirstName', lead.firstName),
      ...optional('LeadLastName', lead.lastName),
      ...optional('LeadPhoneNumber', lead.phone),
      ...optional('LeadEmailAddress', lead.email),
      LeadAction: event.action,
      LeadSource: event.leadSource,
      ...optional('LeadCompany', event.company),
      RoutingRule: decision.rule ?? FALLBACK_RULE,
      AssignedRepName: decision.assignee.name,
    },
    value: undefined,
    profile: {
      id: undefined,
      attributes: { email: decision.assignee.email },
      profileKey: `email:${decision.assignee.email.toLowerCase()}`,
    },
  };
}
