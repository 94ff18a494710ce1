import { describe, expect, it } from 'vitest';
import { createEventRequest } from '../../../test/delivery/fixtures.ts';
import { RelayError } from '../../errors.ts';
import { planBulkJobs } from '../deliver/bulk-plan.ts';
import type { KlaviyoClient } from './client.ts';
import { withLaneCounts, type Lane } from './lane-counts.ts';

describe('lane counts', () => {
  it('counts what Klaviyo accepted per lane, each event of a bulk job, nothing refused', async () => {
    let accept = true;
    const answer = <T>(value: T) =>
      Promise.resolve(
        accept
          ? { ok: true as const, status: 202, rateLimit: { policies: [] }, value }
          : {
              ok: false as const,
              error: new RelayError('KLAVIYO_RATE_LIMITED', 'throttled'),
              rateLimit: { policies: [] },
            },
      );
    const client: KlaviyoClient = {
      createEvent: () => answer(undefined),
      bulkCreateEvents: () => answer({ jobId: 'job-1' }),
      updateProfile: () => answer(undefined),
      getProfiles: () => answer({ ids: [] }),
      close: () => Promise.resolve(),
    };
    const counted: [Lane, number][] = [];
    const counting = withLaneCounts(client, (lane, events) => counted.push([lane, events]));
    await counting.createEvent(createEventRequest(1).body);
    const [job] = planBulkJobs(Array.from({ length: 7 }, (_, index) => createEventRequest(index))).jobs;
    await counting.bulkCreateEvents(job!.body);
    await counting.updateProfile('01', { data: { type: 'profile', id: '01', attributes: { email: 'a@example.com' } } });
    accept = false;
    await counting.createEvent(createEventRequest(2).body);
    expect(counted).toEqual([
      ['create', 1],
      ['bulk', 7],
      ['profile', 1],
    ]);
  });
});
