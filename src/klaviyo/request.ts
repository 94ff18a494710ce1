/**
 * What the projector asks Klaviyo to do, and what travels on the outbound topic `klaviyo.requests`.
 * The projection builds these (pure), the dispatcher delivers them, the sandbox receives their bodies, the
 * replay tool re-sends them. Bodies are Klaviyo's JSON:API documents exactly as the OpenAPI slices in
 * openapi/klaviyo describe them; the envelope around them carries what delivery needs to know.
 */

/** Profile identifiers Klaviyo accepts on an event's profile (create_event.json, EventProfileCreateQueryResourceObject). */
export interface ProfileIdentifiers {
  readonly external_id?: string;
  readonly email?: string;
  readonly phone_number?: string;
}

export interface ProfileLocation {
  readonly address1?: string;
  readonly address2?: string;
  readonly city?: string;
  readonly country?: string;
  readonly region?: string;
  readonly zip?: string;
  readonly timezone?: string;
}

/** JSON values as Klaviyo stores them in event and profile properties. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface EventProfileAttributes extends ProfileIdentifiers {
  readonly first_name?: string;
  readonly last_name?: string;
  readonly organization?: string;
  readonly title?: string;
  readonly locale?: string;
  readonly location?: ProfileLocation;
  /** Custom profile properties, e.g. PasswordResetLink, MostRecentLeadSource. */
  readonly properties?: { readonly [key: string]: JsonValue };
}

/** POST /api/events body (EventCreateQueryV2). */
export interface CreateEventBody {
  readonly data: {
    readonly type: 'event';
    readonly attributes: {
      readonly properties: { readonly [key: string]: JsonValue };
      /** ISO 8601 with offset, from the domain event's occurredAt. */
      readonly time: string;
      readonly value?: number;
      readonly value_currency?: string;
      readonly unique_id: string;
      /** Recorded on the profile without firing flows (stale transactional events, replays). */
      readonly backfill?: boolean;
      readonly metric: { readonly data: { readonly type: 'metric'; readonly attributes: { readonly name: string } } };
      readonly profile: {
        readonly data: { readonly type: 'profile'; readonly id?: string; readonly attributes: EventProfileAttributes };
      };
    };
  };
}

/** PATCH /api/profiles/{id} body (ProfilePartialUpdateQuery); `id` is filled in at delivery when unknown. */
export interface UpdateProfileBody {
  readonly data: {
    readonly type: 'profile';
    readonly id: string;
    readonly attributes: EventProfileAttributes;
  };
}

interface RequestEnvelope {
  /** Schema version of this envelope on the outbound topic. */
  readonly v: 1;
  /** Deterministic id of this request: `<sourceEventId>:<index>`; the same event always yields the same ids. */
  readonly requestId: string;
  /** The Kafka key on the outbound topic: one profile's requests share a partition and stay in order. */
  readonly profileKey: string;
  /** The domain event this request was projected from (for audit, metrics and dead letters). */
  readonly source: {
    readonly eventType: string;
    readonly eventId: string;
    /** ISO 8601; end-to-end latency is measured from here. */
    readonly occurredAt: string;
  };
}

/** Create Event: one Klaviyo event. Eligible for the bulk lane when the dispatcher is catching up. */
export interface CreateEventRequest extends RequestEnvelope {
  readonly kind: 'create-event';
  readonly metric: string;
  readonly uniqueId: string;
  /** Transactional and time-critical (a reset link): always the real-time lane, never batched. */
  readonly realtime: boolean;
  readonly body: CreateEventBody;
}

/**
 * Update Profile: changes identifiers (an email change) before the event that follows it. When the
 * producer does not know Klaviyo's profile id, the dispatcher resolves it with Get Profiles by `lookup`.
 */
export interface UpdateProfileRequest extends RequestEnvelope {
  readonly kind: 'update-profile';
  readonly profileId: string | undefined;
  readonly lookup: { readonly external_id?: string; readonly email?: string };
  /** `data.id` is a placeholder until the profile id is known. */
  readonly body: UpdateProfileBody;
}

export type KlaviyoRequest = CreateEventRequest | UpdateProfileRequest;

/** The placeholder id in an UpdateProfileBody whose profile id is resolved at delivery. */
export const UNRESOLVED_PROFILE_ID = '$resolve';
