import { describe, expect, it } from 'vitest';
import { documentedRuleViolations } from './documented-rules.ts';

const NOW = Date.UTC(2026, 10, 29);

function createEvent(attributes: Record<string, unknown>) {
  return {
    data: {
      type: 'event',
      attributes: {
        metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
        profile: { data: { type: 'profile', attributes: { email: 'a@example.com' } } },
        ...attributes,
      },
    },
  };
}

describe("rules Klaviyo states only in its operations' prose", () => {
  it('accepts an ordinary event', () => {
    expect(
      documentedRuleViolations(
        'create_event',
        createEvent({ properties: { a: 1 }, time: '2026-01-01T00:00:00Z' }),
        NOW,
      ),
    ).toEqual([]);
  });

  it('refuses more than 400 properties and a string over 100 KB', () => {
    const many = Object.fromEntries(Array.from({ length: 401 }, (_, index) => [`p${index}`, index]));
    expect(documentedRuleViolations('create_event', createEvent({ properties: many }), NOW)).toEqual([
      { pointer: '/data/attributes/properties', message: 'must not exceed 400 properties' },
    ]);
    const long = { items: [{ note: 'x'.repeat(100 * 1024 + 1) }] };
    expect(documentedRuleViolations('create_event', createEvent({ properties: long }), NOW)).toEqual([
      { pointer: '/data/attributes/properties/items/0/note', message: 'a string cannot be larger than 100 KB' },
    ]);
  });

  it('refuses a time before 1990 or more than a year ahead', () => {
    expect(documentedRuleViolations('create_event', createEvent({ time: '1989-12-31T23:59:59Z' }), NOW)).toEqual([
      { pointer: '/data/attributes/time', message: 'must be after the year 1990' },
    ]);
    expect(documentedRuleViolations('create_event', createEvent({ time: '2028-01-01T00:00:00Z' }), NOW)).toEqual([
      { pointer: '/data/attributes/time', message: 'can only be up to 1 year in the future' },
    ]);
  });

  it('refuses a bulk job repeating a unique_id for one profile and metric', () => {
    const event = (uniqueId: string) => ({
      type: 'event',
      attributes: { unique_id: uniqueId, metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } } },
    });
    const body = {
      data: {
        type: 'event-bulk-create-job',
        attributes: {
          'events-bulk-create': {
            data: [
              {
                type: 'event-bulk-create',
                attributes: {
                  profile: { data: { type: 'profile', attributes: { email: 'a@example.com' } } },
                  events: { data: [event('u1'), event('u2'), event('u1')] },
                },
              },
            ],
          },
        },
      },
    };
    expect(documentedRuleViolations('bulk_create_events', body, NOW)).toEqual([
      {
        pointer: '/data/attributes/events-bulk-create/data/0/attributes/events/data/2/attributes/unique_id',
        message: 'repeats the unique_id of another event of this profile and metric in the job',
      },
    ]);
  });
});
