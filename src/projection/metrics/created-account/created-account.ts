/** AccountCreated → Created Account, on the new customer's profile (welcome and confirmation flows). */
import type { AccountCreated } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft } from '../../draft.ts';
import { buildEventProfile } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { uniqueIds } from '../../unique-id.ts';

export function createdAccount(event: AccountCreated, ctx: ProjectionContext): EventDraft {
  return {
    kind: 'create-event',
    metric: METRICS.createdAccount,
    // One account is created once, whatever the producer publishes.
    uniqueId: uniqueIds.createdAccount(event.customer.customerId),
    // The guide elides these; everything about the person goes on the profile, and nothing else is known.
    properties: {},
    value: undefined,
    profile: buildEventProfile(event.customer, { identifiers: ctx.identifiers, path: 'customer' }),
  };
}
