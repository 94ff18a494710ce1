/** Requests as the projection builds them, for delivery tests and the delivery bench. */
import type { CreateEventRequest, UpdateProfileRequest } from '../../src/klaviyo/request.ts';
import { UNRESOLVED_PROFILE_ID } from '../../src/klaviyo/request.ts';

export function createEventRequest(
  index: number,
  overrides: { profile?: string; realtime?: boolean; metric?: string; uniqueId?: string } = {},
): CreateEventRequest {
  const profile = overrides.profile ?? `customer-${index % 500}`;
  const metric = overrides.metric ?? 'Placed Order';
  const uniqueId = overrides.uniqueId ?? `order-${index}`;
  return {
    v: 1,
    kind: 'create-event',
    requestId: `evt-${index}:0`,
    profileKey: profile,
    metric,
    uniqueId,
    realtime: overrides.realtime ?? false,
    source: { eventType: 'OrderPlaced', eventId: `evt-${index}`, occurredAt: '2026-03-01T12:00:00.000Z' },
    body: {
      data: {
        type: 'event',
        attributes: {
          properties: { OrderId: uniqueId, ItemNames: ['Winnie the Pooh'], Total: 29.99 },
          time: '2026-03-01T12:00:00+00:00',
          value: 29.99,
          value_currency: 'USD',
          unique_id: uniqueId,
          metric: { data: { type: 'metric', attributes: { name: metric } } },
          profile: { data: { type: 'profile', attributes: { external_id: profile, email: `${profile}@example.com` } } },
        },
      },
    },
  };
}

export function updateProfileRequest(
  index: number,
  lookup: { external_id?: string; email?: string },
  newEmail: string,
): UpdateProfileRequest {
  return {
    v: 1,
    kind: 'update-profile',
    requestId: `chg-${index}:0`,
    profileKey: lookup.external_id ?? lookup.email ?? 'unknown',
    profileId: undefined,
    lookup,
    source: { eventType: 'EmailChanged', eventId: `chg-${index}`, occurredAt: '2026-03-01T12:00:00.000Z' },
    body: { data: { type: 'profile', id: UNRESOLVED_PROFILE_ID, attributes: { email: newEmail } } },
  };
}
