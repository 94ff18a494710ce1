/**
 * EmailChanged → Update Profile (PATCH /api/profiles/{id}), then Updated Email. Klaviyo identifies profiles
 * by email, so an event sent with the new address before the profile carries it would create a second
 * profile. Both requests share the outbound key, so the dispatcher delivers them in this order.
 * Klaviyo's profile id comes from the event when the producer knows it; otherwise the dispatcher resolves
 * it by `lookup` (external_id first, then the old email) with Get Profiles.
 */
import type { EmailChanged } from '../../../domain/events.ts';
import type { ProjectionContext } from '../../context.ts';
import type { EventDraft, ProfileUpdateDraft } from '../../draft.ts';
import { buildEventProfile, optional, profileKeyOf } from '../../identity.ts';
import { METRICS } from '../../metrics.ts';
import { uniqueIds } from '../../unique-id.ts';

export function updatedEmail(event: EmailChanged, ctx: ProjectionContext): [ProfileUpdateDraft, EventDraft] {
  const customer = { ...event.customer, email: event.newEmail };
  const sendsExternalId = ctx.identifiers.includes('external_id');
  const update: ProfileUpdateDraft = {
    kind: 'update-profile',
    profileId: event.customer.klaviyoProfileId ?? undefined,
    lookup: {
      // A profile has an external_id in Klaviyo only if the relay sends it; otherwise it cannot be found by one.
      ...(sendsExternalId ? optional('external_id', event.customer.customerId) : {}),
      email: event.oldEmail,
    },
    attributes: { email: event.newEmail },
    profileKey: profileKeyOf(customer),
  };
  const updated: EventDraft = {
    kind: 'create-event',
    metric: METRICS.updatedEmail,
    uniqueId: uniqueIds.updatedEmail(event.eventId),
    properties: { OldEmail: event.oldEmail, NewEmail: event.newEmail },
    value: undefined,
    profile: buildEventProfile(customer, { identifiers: ctx.identifiers, path: 'customer' }),
  };
  return [update, updated];
}
