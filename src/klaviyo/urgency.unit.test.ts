import { describe, expect, it } from 'vitest';
import { createEventRequest, updateProfileRequest } from '../../test/delivery/fixtures.ts';
import type { CreateEventRequest } from './request.ts';
import {
  classifyRequests,
  DEFAULT_URGENCY_RULES,
  effectiveRank,
  metricUrgency,
  urgencyRank,
  urgencyRules,
} from './urgency.ts';

function event(index: number, metric: string, eventId = `evt-${index}`, backfill = false): CreateEventRequest {
  const base = createEventRequest(index, { metric });
  const attributes = { ...base.body.data.attributes, ...(backfill ? { backfill: true } : {}) };
  return { ...base, source: { ...base.source, eventId }, body: { data: { ...base.body.data, attributes } } };
}

describe('urgency classes', () => {
  it.each([
    ['Reset Password', 'urgent'],
    ['Placed Order', 'high'],
    ['Failed Payment', 'high'],
    ['Created Account', 'high'],
    ['Updated Email', 'high'],
    ['New Lead', 'high'],
    ['Shipping Update', 'normal'],
    ['Created Invoice', 'normal'],
    ['Became Lead', 'normal'],
    ['Updated Account', 'normal'],
    ['Ordered Product', 'low'],
    ['A metric nobody listed', 'normal'],
  ])('%s → %s by default (the guide)', (metric, urgency) => {
    expect(metricUrgency(metric, false, DEFAULT_URGENCY_RULES)).toBe(urgency);
  });

  it('a backfilled request is low whatever its metric: no flow fires for it, nobody waits', () => {
    expect(metricUrgency('Reset Password', true, DEFAULT_URGENCY_RULES)).toBe('low');
  });

  it('operators override a metric’s class', () => {
    const rules = urgencyRules({ 'Shipping Update': 'high', 'Ordered Product': 'normal' });
    expect(metricUrgency('Shipping Update', false, rules)).toBe('high');
    expect(metricUrgency('Ordered Product', false, rules)).toBe('normal');
    expect(metricUrgency('Reset Password', false, rules)).toBe('urgent');
  });

  it('the profile PATCH of an email change takes the class of the Updated Email it precedes', () => {
    const patch = updateProfileRequest(1, { external_id: 'ann' }, 'new@example.com');
    const updatedEmail = event(2, 'Updated Email', patch.source.eventId);
    const shipping = event(3, 'Shipping Update');
    const rules = urgencyRules({ 'Updated Email': 'urgent' });
    expect(classifyRequests([shipping, patch, updatedEmail], rules)).toEqual(['normal', 'urgent', 'urgent']);
    // Alone in its batch (its event comes in a later one): high, never behind a low backlog.
    expect(classifyRequests([patch], DEFAULT_URGENCY_RULES)).toEqual(['high']);
  });

  it('no starvation: a waiter rises one class per promoteAfterMs, up to high, never into urgent', () => {
    expect(urgencyRank('urgent')).toBe(0);
    expect(effectiveRank('low', 0, 30_000)).toBe(3);
    expect(effectiveRank('low', 29_999, 30_000)).toBe(3);
    expect(effectiveRank('low', 30_000, 30_000)).toBe(2);
    expect(effectiveRank('low', 60_000, 30_000)).toBe(1);
    expect(effectiveRank('low', 10 * 60_000, 30_000)).toBe(1);
    expect(effectiveRank('urgent', 10 * 60_000, 30_000)).toBe(0);
  });
});
