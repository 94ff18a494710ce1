import { describe, expect, it } from 'vitest';
import { createEventRequest, updateProfileRequest } from '../../../test/delivery/fixtures.ts';
import type { KlaviyoClient } from '../client/client.ts';
import { createRateLimiter, type FamilyLimits } from '../rate-limit/limiter.ts';
import { createVirtualClock } from '../rate-limit/virtual-clock.ts';
import type { RateFamily } from '../contract/operations.ts';
import { createDeliverer } from './deliverer.ts';

const NONE = { policies: [] };

/** A Klaviyo that accepts everything and records which metric went by which lane, in order. */
function recordingClient() {
  const sent: { lane: 'create' | 'bulk'; metric: string }[] = [];
  const client: KlaviyoClient = {
    async createEvent(body) {
      sent.push({ lane: 'create', metric: body.data.attributes.metric.data.attributes.name });
      return { ok: true, status: 202, rateLimit: NONE, value: undefined };
    },
    async bulkCreateEvents(body) {
      for (const entry of body.data.attributes['events-bulk-create'].data) {
        for (const event of entry.attributes.events.data) {
          sent.push({ lane: 'bulk', metric: event.attributes.metric.data.attributes.name });
        }
      }
      return { ok: true, status: 202, rateLimit: NONE, value: { jobId: 'job' } };
    },
    async updateProfile() {
      return { ok: true, status: 200, rateLimit: NONE, value: undefined };
    },
    async getProfiles() {
      return { ok: true, status: 200, rateLimit: NONE, value: { ids: ['p'] } };
    },
    async close() {},
  };
  return { client, sent };
}

function limits(events: FamilyLimits): Record<RateFamily, FamilyLimits> {
  return { events, profiles: events, bulk: { perSecond: 10, perMinute: 150 } };
}

/** 40 Shipping Updates (normal), then a Reset Password (urgent) last in the batch. */
function backlogThenReset() {
  const backlog = Array.from({ length: 40 }, (_, index) =>
    createEventRequest(index, { profile: `shopper-${index}`, metric: 'Shipping Update' }),
  );
  return { backlog, reset: createEventRequest(99, { profile: 'locked-out', metric: 'Reset Password' }) };
}

describe('deliverer: urgency classes and the bulk lane', () => {
  it('a Reset Password at the end of a backlog batch is sent among the first, not after the backlog', async () => {
    const { client, sent } = recordingClient();
    const limiter = createRateLimiter({ limits: limits({ perSecond: 50, perMinute: 3_000 }) });
    const deliverer = createDeliverer({
      client,
      limiter,
      backoff: { baseMs: 10, capMs: 10, random: () => 0 },
      maxInFlight: 4,
      createLaneBacklogMs: Number.POSITIVE_INFINITY,
    });
    const { backlog, reset } = backlogThenReset();
    const outcomes = await deliverer.deliver([...backlog, reset]);
    expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
    expect(sent).toHaveLength(41);
    // First come, first served would send it 41st; by class it goes as soon as the limiter next grants.
    expect(sent.findIndex((call) => call.metric === 'Reset Password')).toBeLessThan(6);
  });

  it('the class reaches the rate limiter: with permits to spare, the reset still jumps the limiter’s queue', async () => {
    const clock = createVirtualClock();
    const { client, sent } = recordingClient();
    const limiter = createRateLimiter({ limits: limits({ perSecond: 2, perMinute: 120 }), clock });
    const deliverer = createDeliverer({
      client,
      limiter,
      clock,
      backoff: { baseMs: 10, capMs: 10, random: () => 0 },
      maxInFlight: 64,
      createLaneBacklogMs: Number.POSITIVE_INFINITY,
    });
    const { backlog, reset } = backlogThenReset();
    await deliverer.deliver([...backlog, reset]);
    expect(sent).toHaveLength(41);
    expect(sent.findIndex((call) => call.metric === 'Reset Password')).toBeLessThan(4);
  });

  it('bulk-eligible events take the bulk lane when the Create Event lane has a backlog, and only then', async () => {
    const slow = recordingClient();
    const slowLane = createDeliverer({
      client: slow.client,
      limiter: createRateLimiter({ limits: limits({ perSecond: 10, perMinute: 600 }) }),
      backoff: { baseMs: 10, capMs: 10, random: () => 0 },
    });
    const many = Array.from({ length: 30 }, (_, index) =>
      createEventRequest(index, { profile: `shopper-${index}`, metric: 'Ordered Product' }),
    );
    const reset = createEventRequest(99, { profile: 'locked-out', metric: 'Reset Password' });
    const outcomes = await slowLane.deliver([...many, reset]);
    expect(outcomes.map((outcome) => outcome.status === 'delivered' && outcome.lane)).toEqual([
      ...many.map(() => 'bulk'),
      'create',
    ]);

    const quiet = recordingClient();
    const quietLane = createDeliverer({
      client: quiet.client,
      limiter: createRateLimiter({ limits: limits({ perSecond: 350, perMinute: 3_500 }) }),
      backoff: { baseMs: 10, capMs: 10, random: () => 0 },
    });
    const few = many.slice(0, 3);
    const quietOutcomes = await quietLane.deliver(few);
    expect(quietOutcomes.map((outcome) => outcome.status === 'delivered' && outcome.lane)).toEqual([
      'create',
      'create',
      'create',
    ]);
  });
});

describe('deliverer: a profile update whose profile Klaviyo does not know yet', () => {
  it('is retried later, not dead-lettered, and not counted as a Klaviyo outage', async () => {
    const { client } = recordingClient();
    const patched: string[] = [];
    const unknownYet: KlaviyoClient = {
      ...client,
      async getProfiles() {
        return { ok: true, status: 200, rateLimit: NONE, value: { ids: [] } };
      },
      async updateProfile(id) {
        patched.push(id);
        return { ok: true, status: 200, rateLimit: NONE, value: undefined };
      },
    };
    const deliverer = createDeliverer({
      client: unknownYet,
      limiter: createRateLimiter({ limits: limits({ perSecond: 50, perMinute: 3_000 }) }),
      backoff: { baseMs: 10, capMs: 10, random: () => 0 },
    });
    const [outcome] = await deliverer.deliver([
      updateProfileRequest(1, { email: 'old@example.com' }, 'new@example.com'),
    ]);
    expect(outcome?.status).toBe('retry-later');
    if (outcome?.status !== 'retry-later') return;
    expect(outcome.error.code).toBe('PROFILE_NOT_FOUND_YET');
    expect(outcome.error.signalsOutage).toBe(false);
    expect(patched).toEqual([]);
  });
});
