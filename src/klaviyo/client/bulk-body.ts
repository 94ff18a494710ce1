/**
 * The Bulk Create Events body (bulk_create_events.json, EventsBulkCreateJob): events grouped per profile,
 * each group one `event-bulk-create` entry carrying the profile once and its events without one.
 */
import type { CreateEventBody, EventProfileAttributes } from '../request.ts';

type EventAttributes = CreateEventBody['data']['attributes'];

export type BulkEventAttributes = Omit<EventAttributes, 'profile'>;

export interface BulkCreateEventsEntry {
  readonly type: 'event-bulk-create';
  readonly attributes: {
    readonly profile: {
      readonly data: { readonly type: 'profile'; readonly id?: string; readonly attributes: EventProfileAttributes };
    };
    readonly events: { readonly data: readonly { readonly type: 'event'; readonly attributes: BulkEventAttributes }[] };
  };
}

export interface BulkCreateEventsBody {
  readonly data: {
    readonly type: 'event-bulk-create-job';
    readonly attributes: { readonly 'events-bulk-create': { readonly data: readonly BulkCreateEventsEntry[] } };
  };
}
