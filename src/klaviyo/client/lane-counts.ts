/**
 * Counts the events Klaviyo accepted per lane (create, bulk, profile) at the client's edge: a decorator, so
 * neither the delivery engine nor the dispatcher has to know about the metric. A bulk job counts each of
 * its events.
 */
import type { KlaviyoClient } from './client.ts';
import type { BulkCreateEventsBody } from './bulk-body.ts';

export type Lane = 'create' | 'bulk' | 'profile';

export function withLaneCounts(client: KlaviyoClient, accepted: (lane: Lane, events: number) => void): KlaviyoClient {
  return {
    async createEvent(body) {
      const result = await client.createEvent(body);
      if (result.ok) accepted('create', 1);
      return result;
    },
    async bulkCreateEvents(body) {
      const result = await client.bulkCreateEvents(body);
      if (result.ok) accepted('bulk', eventsIn(body));
      return result;
    },
    async updateProfile(profileId, body) {
      const result = await client.updateProfile(profileId, body);
      if (result.ok) accepted('profile', 1);
      return result;
    },
    getProfiles: (lookup) => client.getProfiles(lookup),
    close: () => client.close(),
  };
}

function eventsIn(body: BulkCreateEventsBody): number {
  return body.data.attributes['events-bulk-create'].data.reduce(
    (sum, entry) => sum + entry.attributes.events.data.length,
    0,
  );
}
