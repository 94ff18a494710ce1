/**
 * What the sandbox does with a request Klaviyo would accept: records events (202), applies bulk jobs (202
 * with a job resource), patches profiles (200, 404, 409 duplicate_profile) and answers Get Profiles filters.
 * Bodies reaching here already passed the OpenAPI contract, so their shape is trusted.
 */
import { randomUUID } from 'node:crypto';
import type { OperationId } from '../klaviyo/contract/operations.ts';
import { errorResponse, TITLES, type SandboxResponse } from './json-api.ts';
import { profileResource, type ProfileInput, type SandboxStore } from './store.ts';

type Json = Record<string, unknown>;

export interface SandboxCounters {
  requests: number;
  accepted: number;
  eventsAccepted: number;
  duplicatesRejected: number;
  bulkJobs: number;
  rejected400: number;
  unauthorized: number;
  rateLimited: number;
  conflicts: number;
  faultsInjected: number;
  connectionResets: number;
}

export function emptyCounters(): SandboxCounters {
  return {
    requests: 0,
    accepted: 0,
    eventsAccepted: 0,
    duplicatesRejected: 0,
    bulkJobs: 0,
    rejected400: 0,
    unauthorized: 0,
    rateLimited: 0,
    conflicts: 0,
    faultsInjected: 0,
    connectionResets: 0,
  };
}

export interface RouteContext {
  readonly store: SandboxStore;
  readonly counters: SandboxCounters;
  readonly now: number;
}

export function handleKlaviyo(
  operation: OperationId,
  params: { readonly id?: string; readonly query: URLSearchParams },
  body: unknown,
  context: RouteContext,
): SandboxResponse {
  switch (operation) {
    case 'create_event':
      return createEvent(body as Json, context);
    case 'bulk_create_events':
      return bulkCreateEvents(body as Json, context);
    case 'update_profile':
      return updateProfile(params.id ?? '', body as Json, context);
    case 'get_profiles':
      return getProfiles(params.query, context);
    case 'get_profile': {
      const profile = context.store.findBy('id', params.id ?? '');
      return profile
        ? { status: 200, body: { data: profileResource(profile) } }
        : errorResponse(404, [{ code: 'not_found', title: TITLES.not_found, detail: `No profile ${params.id}.` }]);
    }
    case 'create_or_update_profile':
      return createOrUpdateProfile(body as Json, context);
    default: {
      const exhaustive: never = operation;
      return exhaustive;
    }
  }
}

function recordEvent(
  attributes: Json,
  profileInput: ProfileInput,
  lane: 'create' | 'bulk',
  context: RouteContext,
): void {
  const profile = context.store.profileForEvent(profileInput, context.now);
  const metric = String(((attributes.metric as Json).data as Json & { attributes: Json }).attributes.name);
  const { metric: _metric, profile: _profile, ...rest } = attributes;
  // Klaviyo: without unique_id, the event time to the second identifies the event.
  const time = typeof attributes.time === 'string' ? Date.parse(attributes.time) : context.now;
  const uniqueId =
    typeof attributes.unique_id === 'string' && attributes.unique_id !== ''
      ? attributes.unique_id
      : new Date(Math.floor(time / 1000) * 1000).toISOString();
  context.store.recordRequest({ kind: 'event', identity: `${metric}|${uniqueId}`, acceptedAt: context.now });
  const added = context.store.addEvent({
    metric,
    profileId: profile.id,
    uniqueId,
    acceptedAt: context.now,
    lane,
    attributes: rest,
  });
  if (added) context.counters.eventsAccepted += 1;
  else context.counters.duplicatesRejected += 1;
}

function createEvent(body: Json, context: RouteContext): SandboxResponse {
  const attributes = (body.data as Json).attributes as Json;
  recordEvent(attributes, (attributes.profile as Json).data as ProfileInput, 'create', context);
  return { status: 202 };
}

function bulkCreateEvents(body: Json, context: RouteContext): SandboxResponse {
  const entries = (((body.data as Json).attributes as Json)['events-bulk-create'] as Json).data as Json[];
  let count = 0;
  for (const entry of entries) {
    const attributes = entry.attributes as Json;
    const profileInput = (attributes.profile as Json).data as ProfileInput;
    for (const event of (attributes.events as Json).data as Json[]) {
      const eventAttributes = event.attributes as Json;
      const backfill = eventAttributes.backfill ?? attributes.backfill;
      recordEvent(
        { ...eventAttributes, ...(backfill === undefined ? {} : { backfill }) },
        profileInput,
        'bulk',
        context,
      );
      count += 1;
    }
  }
  context.counters.bulkJobs += 1;
  const id = randomUUID();
  return {
    status: 202,
    body: {
      data: {
        type: 'event-bulk-create-job',
        id,
        attributes: { status: 'complete', total_count: count, created_at: new Date(context.now).toISOString() },
        links: { self: `/api/event-bulk-create-jobs/${id}` },
      },
    },
  };
}

function updateProfile(id: string, body: Json, context: RouteContext): SandboxResponse {
  const data = body.data as Json;
  if (data.id !== id) {
    return errorResponse(400, [
      {
        code: 'invalid',
        title: TITLES.invalid,
        detail: `The id in the body (${String(data.id)}) does not match the id in the path (${id}).`,
        source: { pointer: '/data/id' },
      },
    ]);
  }
  const attributes = (data.attributes as Json | undefined) ?? {};
  const result = context.store.updateProfile(id, attributes, context.now);
  if (result.ok) {
    context.store.recordRequest({
      kind: 'profile-update',
      identity: `${id}|${JSON.stringify(attributes)}`,
      acceptedAt: context.now,
    });
    return { status: 200, body: { data: profileResource(result.profile) } };
  }
  if (result.conflict === 'not_found') {
    return errorResponse(404, [{ code: 'not_found', title: TITLES.not_found, detail: `No profile ${id}.` }]);
  }
  context.counters.conflicts += 1;
  return errorResponse(409, [
    {
      code: 'duplicate_profile',
      title: TITLES.duplicate_profile,
      detail: 'A profile already exists with one of these identifiers.',
      source: { pointer: '/data/attributes' },
      meta: { duplicate_profile_id: result.otherId },
    },
  ]);
}

function createOrUpdateProfile(body: Json, context: RouteContext): SandboxResponse {
  const data = body.data as ProfileInput;
  const existed = typeof data.id === 'string' && context.store.findBy('id', data.id) !== undefined;
  const profile = context.store.profileForEvent(data, context.now);
  return { status: existed ? 200 : 201, body: { data: profileResource(profile) } };
}

/** `equals(email,"a@b.co")`, also with single quotes; the fields delivery looks profiles up by. */
const FILTER = /^equals\((email|external_id|phone_number|id),\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\)$/;

function getProfiles(query: URLSearchParams, context: RouteContext): SandboxResponse {
  const filter = query.get('filter');
  if (filter === null) {
    return { status: 200, body: { data: [...context.store.profiles.values()].slice(0, 20).map(profileResource) } };
  }
  const match = FILTER.exec(filter);
  if (!match) {
    return errorResponse(400, [
      {
        code: 'invalid',
        title: TITLES.invalid,
        detail: `Unsupported filter ${filter}; the sandbox supports equals(email|external_id|phone_number|id,"…").`,
        source: { parameter: 'filter' },
      },
    ]);
  }
  const field = match[1] as 'email' | 'external_id' | 'phone_number' | 'id';
  const value = (match[2] ?? match[3] ?? '').replace(/\\(.)/g, '$1');
  const profile = context.store.findBy(field, value);
  return { status: 200, body: { data: profile ? [profileResource(profile)] : [], links: { self: '', next: null } } };
}
