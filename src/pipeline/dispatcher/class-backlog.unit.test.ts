import { describe, expect, it } from 'vitest';
import { createEventRequest, updateProfileRequest } from '../../../test/delivery/fixtures.ts';
import { DEFAULT_URGENCY_RULES, urgencyRules } from '../../klaviyo/urgency.ts';
import { addClassBacklog, classInQueue, emptyClassBacklog } from './class-backlog.ts';

describe('backlog per urgency class', () => {
  it('counts each class and the age of its oldest request, across ledgers', () => {
    const now = 100_000;
    const first = [
      { request: createEventRequest(1, { metric: 'Ordered Product' }), timestampMs: now - 40_000 },
      { request: createEventRequest(2, { metric: 'Shipping Update' }), timestampMs: now - 30_000 },
      { request: createEventRequest(3, { metric: 'Ordered Product' }), timestampMs: now - 5_000 },
    ];
    const second = [
      { request: createEventRequest(4, { metric: 'Reset Password' }), timestampMs: now - 2_000 },
      { request: createEventRequest(5, { metric: 'Shipping Update' }), timestampMs: now - 50_000 },
    ];
    const backlog = addClassBacklog(
      addClassBacklog(emptyClassBacklog(), first, DEFAULT_URGENCY_RULES, now),
      second,
      DEFAULT_URGENCY_RULES,
      now,
    );
    expect(backlog).toEqual({
      urgent: { requests: 1, oldestAgeMs: 2_000 },
      high: { requests: 0, oldestAgeMs: 0 },
      normal: { requests: 2, oldestAgeMs: 50_000 },
      low: { requests: 2, oldestAgeMs: 40_000 },
    });
  });

  it('a profile PATCH counts in the class of the Updated Email it precedes', () => {
    const patch = updateProfileRequest(7, { external_id: 'c-7' }, 'new@example.com');
    const updated = createEventRequest(7, { profile: 'c-7', metric: 'Updated Email' });
    const sameSource = { ...updated, source: patch.source };
    const rules = urgencyRules({ 'Updated Email': 'urgent' });
    expect(classInQueue([patch, sameSource], rules)).toBe('urgent');
    const backlog = addClassBacklog(
      emptyClassBacklog(),
      [
        { request: patch, timestampMs: 0 },
        { request: sameSource, timestampMs: 0 },
      ],
      rules,
      1_000,
    );
    expect(backlog.urgent.requests).toBe(2);
  });
});
