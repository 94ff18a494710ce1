/**
 * The delivery engine the dispatcher calls with a batch of KlaviyoRequests. Requests of one profileKey are
 * sent in order; profiles proceed in parallel. Every send waits for an in-flight permit first and a
 * rate-limit grant second, so a granted request goes on the wire at once (grants queued behind busy pool
 * connections would bunch up and break Klaviyo's windows). Transient failures are retried in-process a few
 * times (full-jitter backoff, 429s through the limiter's full Retry-After pause), then reported as
 * `retry-later`. Every request carries its urgency class (urgency.ts's `classifyRequests`) into both waits:
 * the permits (permits.ts: some reserved for urgent, served by class) and the limiter's queue, so an urgent
 * request never waits behind a backlog of lower ones. Bulk-eligible events (bulk-plan.ts: configured metrics,
 * anything backfilled) take the bulk lane whenever the Create Event lane has a backlog (or the caller asks
 * for it); the others never do.
 */
import { RelayError } from '../../errors.ts';
import type { KlaviyoClient, KlaviyoResult } from '../client/client.ts';
import type { RateFamily } from '../contract/operations.ts';
import type { Clock, RateLimiter } from '../rate-limit/limiter.ts';
import { AcquireAbortedError, SYSTEM_CLOCK } from '../rate-limit/limiter.ts';
import {
  UNRESOLVED_PROFILE_ID,
  type CreateEventRequest,
  type KlaviyoRequest,
  type UpdateProfileRequest,
} from '../request.ts';
import { backoffDelayMs, parseKlaviyoErrors, type BackoffParameters } from '../retry-policy.ts';
import { classifyRequests, DEFAULT_URGENCY_RULES, type UrgencyClass, type UrgencyRules } from '../urgency.ts';
import {
  blamedRequests,
  createLaneHasBacklog,
  DEFAULT_BULK_ELIGIBLE_METRICS,
  isBulkEligible,
  planBulkJobs,
  type BulkJob,
  type BulkLimits,
  KLAVIYO_BULK_LIMITS,
} from './bulk-plan.ts';
import { outcomeForError, type DeliveryOutcome } from './outcome.ts';
import { createClassPermits, defaultUrgentReserve } from './permits.ts';

export interface DelivererOptions {
  readonly client: KlaviyoClient;
  readonly limiter: RateLimiter;
  readonly backoff: BackoffParameters;
  /** Sends per request before reporting `retry-later` (1 = no in-process retry). */
  readonly maxAttempts?: number;
  /** Requests on the wire at once; match the client's connection count. */
  readonly maxInFlight?: number;
  /** Bulk jobs on the wire at once. */
  readonly maxBulkJobsInFlight?: number;
  readonly bulkLimits?: BulkLimits;
  /** Metrics that may take the bulk lane (anything backfilled may too); default: Ordered Product. */
  readonly bulkEligibleMetrics?: ReadonlySet<string>;
  /** Classes per metric and the promotion rule (config.relay.urgency); default: the guide's. */
  readonly urgency?: UrgencyRules;
  /** In-flight permits only urgent requests may take; default one per 16 (at least one). */
  readonly urgentReservedPermits?: number;
  /** Bulk-eligible events take the bulk lane once Create Event's waiting work exceeds this. Default 1 s. */
  readonly createLaneBacklogMs?: number;
  readonly clock?: Clock;
}

export interface DeliverOptions {
  /**
   * Send eligible events (bulk-eligible, not behind a profile update in this batch) as bulk jobs even when
   * the Create Event lane has no backlog of its own (the dispatcher is catching up on Kafka).
   */
  readonly useBulkLane?: boolean;
  /**
   * Abandons what has not gone on the wire yet (waits for a connection, a rate-limit slot or a backoff):
   * those requests come back `retry-later` with DELIVERY_ABORTED. Requests already sent finish normally.
   */
  readonly signal?: AbortSignal;
}

export interface Deliverer {
  /** Outcomes in the order of `batch`. */
  deliver(batch: readonly KlaviyoRequest[], options?: DeliverOptions): Promise<DeliveryOutcome[]>;
  /** The bulk lane alone, for bulk-eligible Create Event requests. */
  deliverBulk(requests: readonly CreateEventRequest[]): Promise<DeliveryOutcome[]>;
}

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { client, limiter, backoff } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  const maxAttempts = options.maxAttempts ?? 3;
  const maxInFlight = options.maxInFlight ?? 32;
  const rules = options.urgency ?? DEFAULT_URGENCY_RULES;
  const permits = createClassPermits({
    size: maxInFlight,
    reservedForUrgent: options.urgentReservedPermits ?? defaultUrgentReserve(maxInFlight),
    promoteAfterMs: rules.promoteAfterMs,
    clock,
  });
  const bulkPermits = createSemaphore(options.maxBulkJobsInFlight ?? 4);
  const bulkLimits = options.bulkLimits ?? KLAVIYO_BULK_LIMITS;
  const bulkEligibleMetrics = options.bulkEligibleMetrics ?? DEFAULT_BULK_ELIGIBLE_METRICS;
  const profileIds = new Map<string, string>();
  let halt: RelayError | undefined;

  async function send<T>(
    family: RateFamily,
    call: () => Promise<KlaviyoResult<T>>,
    signal: AbortSignal | undefined,
    urgency: UrgencyClass,
  ): Promise<KlaviyoResult<T>> {
    let result: KlaviyoResult<T> | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
      if (halt) return { ok: false, error: halt, rateLimit: { policies: [] } };
      if (signal?.aborted || !(await permits.acquire(urgency, signal))) return aborted(family);
      let grant;
      try {
        grant = await limiter.acquire(family, { ...(signal ? { signal } : {}), urgency });
      } catch (error) {
        permits.release();
        if (error instanceof AcquireAbortedError) return aborted(family);
        throw error;
      }
      try {
        result = await call();
      } finally {
        grant.done();
        permits.release();
      }
      limiter.observe(family, result.rateLimit);
      if (result.ok) return result;
      const error = result.error;
      if (error.code === 'KLAVIYO_RATE_LIMITED') limiter.rateLimited(family, error.retryAfterMs);
      if (error.action === 'halt') halt = error;
      if (!error.retriable || attempt === maxAttempts - 1) return result;
      // 429s wait inside the limiter (the whole family pauses); other transient errors back off here.
      if (error.code !== 'KLAVIYO_RATE_LIMITED') await clock.sleep(backoffDelayMs(attempt, backoff), signal);
    }
    return result!;
  }

  function aborted<T>(family: RateFamily): KlaviyoResult<T> {
    const error = new RelayError('DELIVERY_ABORTED', `delivery abandoned before a ${family} request was sent`);
    return { ok: false, error, rateLimit: { policies: [] } };
  }

  function failure(request: KlaviyoRequest, error: RelayError, attempt = maxAttempts): DeliveryOutcome {
    return outcomeForError(request, error, backoffDelayMs(attempt, backoff));
  }

  async function deliverOne(
    request: KlaviyoRequest,
    urgency: UrgencyClass,
    signal: AbortSignal | undefined,
  ): Promise<DeliveryOutcome> {
    if (request.kind === 'create-event') {
      const result = await send('events', () => client.createEvent(request.body), signal, urgency);
      return result.ok
        ? { status: 'delivered', request, lane: 'create', httpStatus: result.status }
        : failure(request, result.error);
    }
    return updateProfile(request, urgency, signal);
  }

  async function updateProfile(
    request: UpdateProfileRequest,
    urgency: UrgencyClass,
    signal: AbortSignal | undefined,
  ): Promise<DeliveryOutcome> {
    const known =
      request.profileId ?? (request.body.data.id !== UNRESOLVED_PROFILE_ID ? request.body.data.id : undefined);
    const resolved =
      known === undefined ? await resolveProfileId(request, urgency, signal) : { ok: true as const, id: known };
    if (!resolved.ok) return resolved.outcome;
    const body = { data: { ...request.body.data, id: resolved.id } };
    const result = await send('profiles', () => client.updateProfile(resolved.id, body), signal, urgency);
    if (!result.ok) return failure(request, result.error);
    // The profile's identifiers changed: cached lookups by the old ones are stale, and the next holder of
    // an old identifier is someone else.
    for (const [field, value] of Object.entries(request.lookup)) profileIds.delete(lookupKey(field, String(value)));
    return { status: 'delivered', request, lane: 'profile', httpStatus: result.status };
  }

  async function resolveProfileId(
    request: UpdateProfileRequest,
    urgency: UrgencyClass,
    signal: AbortSignal | undefined,
  ): Promise<{ ok: true; id: string } | { ok: false; outcome: DeliveryOutcome }> {
    const lookups = [
      ...(request.lookup.external_id ? [{ field: 'external_id' as const, value: request.lookup.external_id }] : []),
      ...(request.lookup.email ? [{ field: 'email' as const, value: request.lookup.email }] : []),
    ];
    for (const lookup of lookups) {
      const cacheKey = lookupKey(lookup.field, lookup.value);
      const cached = profileIds.get(cacheKey);
      if (cached) return { ok: true, id: cached };
      const result = await send('profiles', () => client.getProfiles(lookup), signal, urgency);
      if (!result.ok) return { ok: false, outcome: failure(request, result.error) };
      const id = result.value.ids[0];
      if (id !== undefined) {
        if (profileIds.size > 10_000) profileIds.clear();
        profileIds.set(cacheKey, id);
        return { ok: true, id };
      }
    }
    // Urgent and high requests travel in topics of their own, so the event that creates this profile (a
    // Shipping Update, say) can still be on its way: not found is "not yet", retried with the profile's
    // later requests waiting behind it, and dead-lettered (DELIVERY_EXPIRED) only after the maximum age.
    const error = new RelayError('PROFILE_NOT_FOUND_YET', 'no Klaviyo profile matches the update’s lookup yet', {
      detail: { lookupFields: lookups.map((lookup) => lookup.field) },
    });
    return { ok: false, outcome: failure(request, error) };
  }

  /** One profile's requests, in order; a retry-later or halt holds back the rest of that profile. */
  async function deliverInOrder(
    requests: readonly KlaviyoRequest[],
    classes: ReadonlyMap<KlaviyoRequest, UrgencyClass>,
    into: Map<KlaviyoRequest, DeliveryOutcome>,
    signal: AbortSignal | undefined,
  ) {
    let blocker: DeliveryOutcome | undefined;
    for (const request of requests) {
      if (halt) {
        into.set(request, { status: 'halted', request, error: halt, httpStatus: undefined });
        continue;
      }
      if (blocker && (blocker.status === 'retry-later' || blocker.status === 'halted')) {
        // Held back, never sent: no HTTP status of its own.
        into.set(request, { ...blocker, request, httpStatus: undefined });
        continue;
      }
      const outcome = await deliverOne(request, classes.get(request) ?? 'normal', signal);
      into.set(request, outcome);
      if (outcome.status === 'retry-later' || outcome.status === 'halted') blocker = outcome;
    }
  }

  async function sendJob(
    job: BulkJob,
    into: Map<KlaviyoRequest, DeliveryOutcome>,
    round: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const all = job.requests.flat();
    let result;
    if (await bulkPermits.acquire(signal)) {
      try {
        // Bulk jobs have a family of their own; they carry what can wait.
        result = await send('bulk', () => client.bulkCreateEvents(job.body), signal, 'low');
      } finally {
        bulkPermits.release();
      }
    } else result = aborted('bulk');
    if (result.ok) {
      for (const request of all)
        into.set(request, { status: 'delivered', request, lane: 'bulk', httpStatus: result.status });
      return;
    }
    const error = result.error;
    const errors = parseKlaviyoErrors({ errors: error.detail.errors });
    const blamed =
      error.code === 'KLAVIYO_REJECTED'
        ? blamedRequests(
            job,
            errors.flatMap((e) => e.source?.pointer ?? []),
          )
        : new Set();
    if (blamed.size === 0 || round >= 5) {
      for (const request of all) into.set(request, failure(request, error));
      return;
    }
    // Isolate: the blamed events fail permanently with their own errors, the rest go out again.
    for (const request of blamed as Set<CreateEventRequest>) {
      const own = errors.filter(
        (item) => item.source?.pointer !== undefined && blamedRequests(job, [item.source.pointer]).has(request),
      );
      into.set(request, {
        status: 'failed-permanently',
        request,
        error: new RelayError('KLAVIYO_REJECTED', `Klaviyo rejected event ${request.requestId} in a bulk job`, {
          detail: { operation: 'bulk_create_events', status: 400, errors: own },
        }),
        httpStatus: 400,
      });
    }
    const rest = all.filter((request) => !blamed.has(request));
    await Promise.all(planBulkJobs(rest, bulkLimits).jobs.map((next) => sendJob(next, into, round + 1, signal)));
  }

  async function deliverBulkInto(
    requests: readonly CreateEventRequest[],
    into: Map<KlaviyoRequest, DeliveryOutcome>,
    signal: AbortSignal | undefined,
  ) {
    const plan = planBulkJobs(requests, bulkLimits);
    for (const request of plan.oversized) {
      into.set(request, {
        status: 'failed-permanently',
        request,
        error: new RelayError('KLAVIYO_LIMIT_EXCEEDED', `event ${request.requestId} alone exceeds a bulk job's size`),
        httpStatus: undefined,
      });
    }
    await Promise.all(plan.jobs.map((job) => sendJob(job, into, 0, signal)));
  }

  /**
   * Would this batch's Create Event requests, behind what already waits for the events family (its grants
   * and this deliverer's permits), take longer than `createLaneBacklogMs` at the rate allowed now?
   */
  function createLaneBacklogged(batch: readonly KlaviyoRequest[]): boolean {
    const stats = limiter.stats('events');
    const fresh = batch.reduce((count, request) => count + (request.kind === 'create-event' ? 1 : 0), 0);
    return createLaneHasBacklog(
      { waiting: stats.waiting + permits.waiting() + fresh, allowedPerSecond: stats.allowedPerSecond },
      options.createLaneBacklogMs ?? 1_000,
    );
  }

  return {
    async deliver(batch, deliverOptions = {}) {
      const outcomes = new Map<KlaviyoRequest, DeliveryOutcome>();
      const classified = classifyRequests(batch, rules);
      const classes = new Map(batch.map((request, index) => [request, classified[index]!]));
      const useBulkLane = deliverOptions.useBulkLane === true || createLaneBacklogged(batch);
      const bulk: CreateEventRequest[] = [];
      const byProfile = new Map<string, KlaviyoRequest[]>();
      const profilesWithUpdates = new Set<string>();
      for (const request of batch) {
        if (request.kind === 'update-profile') profilesWithUpdates.add(request.profileKey);
        if (
          useBulkLane &&
          isBulkEligible(request, bulkEligibleMetrics) &&
          !profilesWithUpdates.has(request.profileKey)
        ) {
          bulk.push(request);
        } else byProfile.set(request.profileKey, [...(byProfile.get(request.profileKey) ?? []), request]);
      }
      await Promise.all([
        ...[...byProfile.values()].map((requests) =>
          deliverInOrder(requests, classes, outcomes, deliverOptions.signal),
        ),
        bulk.length > 0 ? deliverBulkInto(bulk, outcomes, deliverOptions.signal) : Promise.resolve(),
      ]);
      return batch.map((request) => outcomes.get(request)!);
    },
    async deliverBulk(requests) {
      const outcomes = new Map<KlaviyoRequest, DeliveryOutcome>();
      await deliverBulkInto(requests, outcomes, undefined);
      return requests.map((request) => outcomes.get(request)!);
    },
  };
}

interface Semaphore {
  /** True once a permit is held; false when `signal` aborted first (no permit is held then). */
  acquire(signal?: AbortSignal): Promise<boolean>;
  release(): void;
}

function createSemaphore(size: number): Semaphore {
  let available = size;
  const waiting = new Set<(granted: boolean) => void>();
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.resolve(false);
      if (available > 0) {
        available -= 1;
        return Promise.resolve(true);
      }
      return new Promise((resolve) => {
        const abandon = () => {
          waiting.delete(wake);
          resolve(false);
        };
        const wake = (granted: boolean) => {
          signal?.removeEventListener('abort', abandon);
          resolve(granted);
        };
        waiting.add(wake);
        signal?.addEventListener('abort', abandon, { once: true });
      });
    },
    release() {
      // A Set iterates in insertion order: permits stay first come, first served.
      const next = waiting.values().next();
      if (next.done) available += 1;
      else {
        waiting.delete(next.value);
        next.value(true);
      }
    },
  };
}

/** The profile-id cache's key: the same identifier value in another field is another lookup. */
function lookupKey(field: string, value: string): string {
  return `${field}:${value}`;
}
