/**
 * Turns a mapper's drafts into the KlaviyoRequests on the outbound topic: deterministic request ids, the
 * event time, the freshness decision (backfill) and Klaviyo's limits, the same way for every metric.
 */
import {
  UNRESOLVED_PROFILE_ID,
  type CreateEventBody,
  type CreateEventRequest,
  type KlaviyoRequest,
  type UpdateProfileRequest,
} from '../klaviyo/request.ts';
import type { ProjectionContext } from './context.ts';
import type { EventDraft, ProfileUpdateDraft, RequestDraft } from './draft.ts';
import { mustBackfill } from './freshness.ts';
import { requestJson } from '../klaviyo/request-json.ts';
import { checkCreateEventLimits, checkUpdateProfileLimits } from './limits.ts';
import { REALTIME_METRICS } from './metrics.ts';
import { toIsoInstant, toKlaviyoTime } from './time.ts';

/** The envelope fields every domain event has. */
export interface SourceEvent {
  readonly type: string;
  readonly data: { readonly eventId: string; readonly occurredAt: number };
}

export function assemble(
  source: SourceEvent,
  drafts: readonly RequestDraft[],
  ctx: ProjectionContext,
): KlaviyoRequest[] {
  const envelopeSource = {
    eventType: source.type,
    eventId: source.data.eventId,
    occurredAt: toIsoInstant(source.data.occurredAt),
  };
  return drafts.map((draft, index) => {
    const requestId = `${source.data.eventId}:${index}`;
    return draft.kind === 'create-event'
      ? createEvent(draft, requestId, envelopeSource, source.data.occurredAt, ctx)
      : updateProfile(draft, requestId, envelopeSource);
  });
}

function createEvent(
  draft: EventDraft,
  requestId: string,
  source: CreateEventRequest['source'],
  occurredAt: number,
  ctx: ProjectionContext,
): CreateEventRequest {
  const stale = mustBackfill(draft.metric, occurredAt, ctx.now, ctx.freshness, ctx.backfill);
  const body: CreateEventBody = {
    data: {
      type: 'event',
      attributes: {
        properties: draft.properties,
        time: toKlaviyoTime(occurredAt),
        ...(draft.value === undefined ? {} : { value: draft.value.value, value_currency: draft.value.currency }),
        unique_id: draft.uniqueId,
        ...(stale ? { backfill: true } : {}),
        metric: { data: { type: 'metric', attributes: { name: draft.metric } } },
        profile: {
          data: {
            type: 'profile',
            ...(draft.profile.id === undefined ? {} : { id: draft.profile.id }),
            attributes: draft.profile.attributes,
          },
        },
      },
    },
  };
  const request: CreateEventRequest = {
    v: 1,
    kind: 'create-event',
    requestId,
    profileKey: draft.profile.profileKey,
    source,
    metric: draft.metric,
    uniqueId: draft.uniqueId,
    // Nobody waits for a message that will not be sent: a backfilled request can take the bulk lane.
    realtime: REALTIME_METRICS[draft.metric] && !stale,
    body,
  };
  // The request's JSON is made once, here; the outbound record reuses it.
  checkCreateEventLimits(body, requestJson(request));
  return request;
}

function updateProfile(
  draft: ProfileUpdateDraft,
  requestId: string,
  source: UpdateProfileRequest['source'],
): UpdateProfileRequest {
  const body = {
    data: { type: 'profile', id: draft.profileId ?? UNRESOLVED_PROFILE_ID, attributes: draft.attributes },
  } as const;
  const request: UpdateProfileRequest = {
    v: 1,
    kind: 'update-profile',
    requestId,
    profileKey: draft.profileKey,
    source,
    profileId: draft.profileId,
    lookup: draft.lookup,
    body,
  };
  checkUpdateProfileLimits(body, requestJson(request));
  return request;
}
