/**
 * LeadCaptured → Became Lead on the prospect's own profile: what they did (Action), and where they came
 * from as the profile property MostRecentLeadSource, as the guide has it.
 */
import type { LeadCaptured } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { uniqueIds } from '../../unique-id.ts';

export function becameLead(event: LeadCaptured, ctx: ProjectionContext): EventDraft {
  return {
    kind: 'create-event',
    metric: METRICS.becameLead,
    uniqueId: uniqueIds.becameLead(event.leadId),
    properties: { Action: event.action },
    value: undefined,
    profile: buildEventProfile(event.prospect, {
      identifiers: ctx.identifiers,
      path: 'prospect',
      properties: { MostRecentLeadSource: event.leadSource },
    }),
  };
}
