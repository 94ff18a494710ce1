/**
 * Plans Bulk Create Events jobs from non-realtime Create Event requests (pure). Events are grouped per
 * profile (one `event-bulk-create` entry per distinct profile object), at most 1,000 events and 5 MB per
 * job, and never two events with the same (profile, metric, unique_id) in one job: the later one goes to a
 * later job, so Klaviyo's "first processed wins" dedup keeps the first. Each job remembers which request
 * sits at which JSON pointer, so a 400's `source.pointer` finds the offending request.
 */
import type { CreateEventRequest, KlaviyoRequest } from '../request.ts';
import type { BulkCreateEventsBody, BulkCreateEventsEntry } from '../client/bulk-body.ts';

export interface BulkLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/** Klaviyo's documented limits for one bulk job. */
export const KLAVIYO_BULK_LIMITS: BulkLimits = { maxEvents: 1_000, maxBytes: 5 * 1024 * 1024 };

export interface BulkJob {
  readonly body: BulkCreateEventsBody;
  /** `requests[i][j]`: the request behind event j of entry i. */
  readonly requests: readonly (readonly CreateEventRequest[])[];
  readonly eventCount: number;
}

interface OpenJob {
  entries: Map<string, { profile: BulkCreateEventsEntry['attributes']['profile']; requests: CreateEventRequest[] }>;
  dedupKeys: Set<string>;
  events: number;
  bytes: number;
}

const JOB_ENVELOPE_BYTES = 200;

export function planBulkJobs(requests: readonly CreateEventRequest[], limits: BulkLimits = KLAVIYO_BULK_LIMITS) {
  const jobs: OpenJob[] = [];
  const oversized: CreateEventRequest[] = [];
  for (const request of requests) {
    const { profile, ...eventAttributes } = request.body.data.attributes;
    const profileKey = JSON.stringify(profile.data);
    const dedupKey = `${request.profileKey}\u0000${request.metric}\u0000${request.uniqueId}`;
    const eventBytes = Buffer.byteLength(JSON.stringify({ type: 'event', attributes: eventAttributes })) + 1;
    const profileBytes = Buffer.byteLength(profileKey) + 80;
    if (eventBytes + profileBytes + JOB_ENVELOPE_BYTES > limits.maxBytes) {
      oversized.push(request);
      continue;
    }
    // First job with room that does not already hold this (profile, metric, unique_id).
    let job = jobs.find((candidate) => fits(candidate, dedupKey, profileKey, eventBytes, profileBytes, limits));
    if (!job) {
      job = { entries: new Map(), dedupKeys: new Set(), events: 0, bytes: JOB_ENVELOPE_BYTES };
      jobs.push(job);
    }
    let entry = job.entries.get(profileKey);
    if (!entry) {
      entry = { profile, requests: [] };
      job.entries.set(profileKey, entry);
      job.bytes += profileBytes;
    }
    entry.requests.push(request);
    job.dedupKeys.add(dedupKey);
    job.events += 1;
    job.bytes += eventBytes;
  }
  return { jobs: jobs.map(closeJob), oversized };
}

function fits(
  job: OpenJob,
  dedupKey: string,
  profileKey: string,
  eventBytes: number,
  profileBytes: number,
  limits: BulkLimits,
): boolean {
  if (job.events >= limits.maxEvents || job.dedupKeys.has(dedupKey)) return false;
  const extra = eventBytes + (job.entries.has(profileKey) ? 0 : profileBytes);
  return job.bytes + extra <= limits.maxBytes;
}

function closeJob(job: OpenJob): BulkJob {
  const entries = [...job.entries.values()];
  return {
    eventCount: job.events,
    requests: entries.map((entry) => entry.requests),
    body: {
      data: {
        type: 'event-bulk-create-job',
        attributes: {
          'events-bulk-create': {
            data: entries.map((entry) => ({
              type: 'event-bulk-create',
              attributes: {
                profile: entry.profile,
                events: {
                  data: entry.requests.map((request) => {
                    const { profile: _profile, ...attributes } = request.body.data.attributes;
                    return { type: 'event', attributes };
                  }),
                },
              },
            })),
          },
        },
      },
    },
  };
}

/**
 * The requests a 400's `source.pointer`s blame: a pointer into an event blames that event, a pointer into an
 * entry's profile blames every event of the entry. Pointers that name no event blame nobody (the caller
 * then cannot isolate and fails the whole job).
 */
export function blamedRequests(job: BulkJob, pointers: readonly string[]): Set<CreateEventRequest> {
  const blamed = new Set<CreateEventRequest>();
  for (const pointer of pointers) {
    const match =
      /^\/data\/attributes\/events-bulk-create\/data\/(\d+)(?:\/attributes\/(profile|events\/data\/(\d+)))?/.exec(
        pointer,
      );
    if (!match) continue;
    const entry = job.requests[Number(match[1])];
    if (!entry) continue;
    if (match[3] !== undefined) {
      const request = entry[Number(match[3])];
      if (request) blamed.add(request);
    } else if (match[2] === 'profile' || match[2] === undefined) {
      for (const request of entry) blamed.add(request);
    }
  }
  return blamed;
}

export interface BulkLaneThresholds {
  readonly backlog: number;
  readonly ageMs: number;
}

/** The bulk lane pays off when catching up: a long backlog or old pending requests. */
export function shouldUseBulkLane(state: { backlog: number; oldestAgeMs: number }, thresholds: BulkLaneThresholds) {
  return state.backlog >= thresholds.backlog || state.oldestAgeMs >= thresholds.ageMs;
}

/**
 * Metrics that trigger no time-critical flow: they may go by Bulk Create Events. Klaviyo documents neither
 * the processing delay of bulk jobs nor flow timing for them, so transactional metrics stay on Create Event
 * unless an operator opts one in (RELAY_BULK_ELIGIBLE_METRICS).
 */
export const DEFAULT_BULK_ELIGIBLE_METRICS: ReadonlySet<string> = new Set(['Ordered Product']);

/** May this request go by Bulk Create Events? A bulk-eligible metric, or a request already backfilled. */
export function isBulkEligible(
  request: KlaviyoRequest,
  eligibleMetrics: ReadonlySet<string> = DEFAULT_BULK_ELIGIBLE_METRICS,
): request is CreateEventRequest {
  if (request.kind !== 'create-event') return false;
  return eligibleMetrics.has(request.metric) || request.body.data.attributes.backfill === true;
}

/**
 * The Create Event lane has a backlog when what waits for it would take longer than `horizonMs` at the rate
 * it is allowed now (the limiter's `allowedPerSecond`): bulk-eligible events then go by Bulk Create Events,
 * so a backlog drains at up to both lanes' combined ceiling instead of Create Event's alone.
 */
export function createLaneHasBacklog(
  state: { readonly waiting: number; readonly allowedPerSecond: number },
  horizonMs = 1_000,
): boolean {
  if (state.waiting <= 0) return false;
  if (!(state.allowedPerSecond > 0)) return true;
  return (state.waiting / state.allowedPerSecond) * 1000 > horizonMs;
}
