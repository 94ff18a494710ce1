import { describe, expect, it } from 'vitest';
import { createEventRequest, updateProfileRequest } from '../../../test/delivery/fixtures.ts';
import { validateRequest } from '../contract/validate.ts';
import { blamedRequests, createLaneHasBacklog, isBulkEligible, planBulkJobs, shouldUseBulkLane } from './bulk-plan.ts';
import type { CreateEventRequest } from '../request.ts';

function backfilled(request: CreateEventRequest): CreateEventRequest {
  const attributes = { ...request.body.data.attributes, backfill: true };
  return { ...request, body: { data: { ...request.body.data, attributes } } };
}

describe('bulk plan', () => {
  it('≤ 1,000 events per job, grouped per profile, and the body satisfies the closed contract', () => {
    const requests = Array.from({ length: 2_500 }, (_, index) => createEventRequest(index));
    const { jobs, oversized } = planBulkJobs(requests);
    expect(oversized).toEqual([]);
    expect(jobs.map((job) => job.eventCount)).toEqual([1_000, 1_000, 500]);
    const entries = jobs[0]!.body.data.attributes['events-bulk-create'].data;
    expect(entries).toHaveLength(500);
    expect(entries[0]!.attributes.events.data).toHaveLength(2);
    expect(validateRequest('bulk_create_events', { body: jobs[0]!.body }, 'closed')).toEqual({ ok: true });
  });

  it('never puts two events with the same (profile, metric, unique_id) in one job', () => {
    const twice = [createEventRequest(1, { profile: 'ann' }), createEventRequest(1, { profile: 'ann' })];
    const { jobs } = planBulkJobs(twice);
    expect(jobs.map((job) => job.eventCount)).toEqual([1, 1]);
  });

  it('a job never carries two events with the same (profile, metric, unique_id), however many repeat', () => {
    // 3,000 requests over 50 profiles and 2 metrics, each (profile, metric, unique_id) repeated up to 4 times.
    const requests = Array.from({ length: 3_000 }, (_, index) =>
      createEventRequest(index, {
        profile: `p${index % 50}`,
        metric: index % 2 === 0 ? 'Ordered Product' : 'Placed Order',
        uniqueId: `u${index % 700}`,
      }),
    );
    const { jobs } = planBulkJobs(requests);
    expect(jobs.reduce((sum, job) => sum + job.eventCount, 0)).toBe(3_000);
    for (const job of jobs) {
      const keys = job.requests.flat().map((request) => `${request.profileKey}|${request.metric}|${request.uniqueId}`);
      expect(new Set(keys).size).toBe(keys.length);
      // What Klaviyo sees: the same triple in the job's body, read back from the body itself.
      const bodyKeys = job.body.data.attributes['events-bulk-create'].data.flatMap((entry) =>
        entry.attributes.events.data.map(
          (event) =>
            `${JSON.stringify(entry.attributes.profile.data.attributes)}|${event.attributes.metric.data.attributes.name}|${event.attributes.unique_id}`,
        ),
      );
      expect(new Set(bodyKeys).size).toBe(bodyKeys.length);
    }
  });

  it('splits by size (5 MB in production; a small budget here) and rejects an event too big for any job', () => {
    const requests = Array.from({ length: 10 }, (_, index) => createEventRequest(index));
    const { jobs } = planBulkJobs(requests, { maxEvents: 1_000, maxBytes: 2_000 });
    expect(jobs.length).toBeGreaterThan(1);
    for (const job of jobs) expect(Buffer.byteLength(JSON.stringify(job.body))).toBeLessThanOrEqual(2_000);
    expect(planBulkJobs(requests, { maxEvents: 1_000, maxBytes: 300 }).oversized).toHaveLength(10);
  });

  it('maps source.pointers back to requests: an event, or every event of an entry for its profile', () => {
    const requests = [
      createEventRequest(1, { profile: 'ann' }),
      createEventRequest(2, { profile: 'ann' }),
      createEventRequest(3, { profile: 'bob' }),
    ];
    const [job] = planBulkJobs(requests).jobs;
    const base = '/data/attributes/events-bulk-create/data';
    expect([...blamedRequests(job!, [`${base}/0/attributes/events/data/1/attributes/time`])]).toEqual([requests[1]]);
    expect([...blamedRequests(job!, [`${base}/1/attributes/profile/data/attributes`])]).toEqual([requests[2]]);
    expect(blamedRequests(job!, ['/data/type']).size).toBe(0);
  });
});

describe('shouldUseBulkLane', () => {
  const thresholds = { backlog: 5_000, ageMs: 60_000 };
  it.each([
    [{ backlog: 10, oldestAgeMs: 500 }, false],
    [{ backlog: 5_000, oldestAgeMs: 0 }, true],
    [{ backlog: 1, oldestAgeMs: 60_000 }, true],
  ])('%j → %s', (state, expected) => {
    expect(shouldUseBulkLane(state, thresholds)).toBe(expected);
  });
});

describe('bulk eligibility', () => {
  it('configured metrics (default Ordered Product) and anything backfilled; never a profile update', () => {
    expect(isBulkEligible(createEventRequest(1, { metric: 'Ordered Product' }))).toBe(true);
    expect(isBulkEligible(createEventRequest(2, { metric: 'Placed Order' }))).toBe(false);
    expect(isBulkEligible(createEventRequest(3, { metric: 'Shipping Update' }))).toBe(false);
    expect(isBulkEligible(backfilled(createEventRequest(4, { metric: 'Reset Password' })))).toBe(true);
    expect(isBulkEligible(createEventRequest(5, { metric: 'Became Lead' }), new Set(['Became Lead']))).toBe(true);
    expect(isBulkEligible(updateProfileRequest(6, { external_id: 'ann' }, 'a@example.com'))).toBe(false);
  });

  it('the Create Event lane has a backlog when what waits would take longer than the horizon at the allowed rate', () => {
    expect(createLaneHasBacklog({ waiting: 0, allowedPerSecond: 58 })).toBe(false);
    expect(createLaneHasBacklog({ waiting: 50, allowedPerSecond: 58 })).toBe(false);
    expect(createLaneHasBacklog({ waiting: 59, allowedPerSecond: 58 })).toBe(true);
    expect(createLaneHasBacklog({ waiting: 1, allowedPerSecond: 0 })).toBe(true);
    expect(createLaneHasBacklog({ waiting: 200, allowedPerSecond: 58 }, 5_000)).toBe(false);
  });
});
