import { describe, expect, it } from 'vitest';
import { createEventRequest } from '../../../test/delivery/fixtures.ts';
import { validateRequest } from '../contract/validate.ts';
import { blamedRequests, planBulkJobs, shouldUseBulkLane } from './bulk-plan.ts';

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
