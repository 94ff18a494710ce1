import { describe, expect, it } from 'vitest';
import { loadSlice } from './slices.ts';
import { OPERATION_IDS } from './operations.ts';
import { validateRequest, type ContractViolation } from './validate.ts';

const HEADERS = { revision: '2026-07-15', authorization: 'Klaviyo-API-Key pk_test' };

function createEventBody(overrides: { profileAttributes?: Record<string, unknown> } = {}) {
  return {
    data: {
      type: 'event',
      attributes: {
        properties: { OrderId: 'o-1', Nested: { free: ['form'] } },
        time: '2026-01-02T03:04:05+00:00',
        value: 12.5,
        value_currency: 'USD',
        unique_id: 'o-1',
        metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
        profile: {
          data: {
            type: 'profile',
            attributes: overrides.profileAttributes ?? { email: 'sarah@example.com', properties: { Tier: 'gold' } },
          },
        },
      },
    },
  };
}

function pointers(errors: readonly ContractViolation[]): string[] {
  return errors.map((error) => (error.in === 'body' ? error.pointer : `header:${error.parameter}`));
}

function violationsOf(result: ReturnType<typeof validateRequest>): readonly ContractViolation[] {
  return result.ok ? [] : result.errors;
}

describe('contract: create_event', () => {
  it('accepts a complete event in both modes', () => {
    expect(validateRequest('create_event', { body: createEventBody(), headers: HEADERS })).toEqual({ ok: true });
    expect(validateRequest('create_event', { body: createEventBody(), headers: HEADERS }, 'closed')).toEqual({
      ok: true,
    });
  });

  it('accepts null where the spec says nullable (OpenAPI 3.0 `nullable`)', () => {
    const body = createEventBody({ profileAttributes: { email: 'a@b.co', location: null, first_name: null } });
    expect(validateRequest('create_event', { body, headers: HEADERS })).toEqual({ ok: true });
  });

  it.each([
    [
      'missing metric',
      (body: ReturnType<typeof createEventBody>) =>
        delete (body.data.attributes as Partial<typeof body.data.attributes>).metric,
      '/data/attributes/metric',
    ],
    [
      'wrong data.type',
      (body: ReturnType<typeof createEventBody>) => ((body.data as { type: string }).type = 'events'),
      '/data/type',
    ],
    [
      'wrong metric type',
      (body: ReturnType<typeof createEventBody>) =>
        ((body.data.attributes.metric.data as { type: string }).type = 'metrics'),
      '/data/attributes/metric/data/type',
    ],
    [
      'time not a date-time',
      (body: ReturnType<typeof createEventBody>) => ((body.data.attributes as { time: string }).time = 'yesterday'),
      '/data/attributes/time',
    ],
    [
      'value as a string',
      (body: ReturnType<typeof createEventBody>) => ((body.data.attributes as { value: unknown }).value = '12.50'),
      '/data/attributes/value',
    ],
    [
      'profile without identifier',
      (body: ReturnType<typeof createEventBody>) =>
        (body.data.attributes.profile.data.attributes = { first_name: 'Sarah' } as never),
      '/data/attributes/profile/data/attributes',
    ],
    [
      'empty metric name',
      (body: ReturnType<typeof createEventBody>) => (body.data.attributes.metric.data.attributes.name = ''),
      '/data/attributes/metric/data/attributes/name',
    ],
  ])('rejects %s, naming the field', (_name, mutate, pointer) => {
    const body = createEventBody();
    mutate(body);
    expect(pointers(violationsOf(validateRequest('create_event', { body, headers: HEADERS })))).toContain(pointer);
  });

  it('as-published ignores undeclared keys; closed names them', () => {
    const body = createEventBody({ profileAttributes: { email: 'a@b.co', favourite_colour: 'blue' } });
    expect(validateRequest('create_event', { body, headers: HEADERS })).toEqual({ ok: true });
    expect(pointers(violationsOf(validateRequest('create_event', { body, headers: HEADERS }, 'closed')))).toEqual([
      '/data/attributes/profile/data/attributes/favourite_colour',
    ]);
  });

  it('free-form maps (event and profile properties) stay open in closed mode', () => {
    const body = createEventBody({ profileAttributes: { email: 'a@b.co', properties: { anything: { goes: 1 } } } });
    expect(validateRequest('create_event', { body, headers: HEADERS }, 'closed')).toEqual({ ok: true });
  });
});

describe('contract: headers', () => {
  it.each([
    [{}, 'is required'],
    [{ revision: '' }, 'is required'],
    [{ revision: '15-07-2026' }, 'must have the format YYYY-MM-DD[.suffix], got "15-07-2026"'],
  ])('rejects revision %j', (headers, message) => {
    expect(violationsOf(validateRequest('create_event', { body: createEventBody(), headers }))).toEqual([
      { in: 'header', parameter: 'revision', message },
    ]);
  });

  it('accepts a revision with a suffix and matches header names case-insensitively', () => {
    expect(validateRequest('get_profiles', { headers: { Revision: '2026-07-15.pre' } })).toEqual({ ok: true });
  });

  it('skips header checks when no headers are given (body-only contract tests)', () => {
    expect(validateRequest('create_event', { body: createEventBody() })).toEqual({ ok: true });
  });
});

describe('contract: bulk_create_events and update_profile', () => {
  const bulkEntry = (profile: Record<string, unknown>) => ({
    type: 'event-bulk-create',
    attributes: {
      profile: { data: { type: 'profile', attributes: profile } },
      events: {
        data: [
          {
            type: 'event',
            attributes: {
              properties: {},
              unique_id: 'u1',
              metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
            },
          },
        ],
      },
    },
  });
  const bulkBody = (...entries: unknown[]) => ({
    data: { type: 'event-bulk-create-job', attributes: { 'events-bulk-create': { data: entries } } },
  });

  it('accepts a bulk job grouped per profile and points into the offending entry', () => {
    expect(validateRequest('bulk_create_events', { body: bulkBody(bulkEntry({ email: 'a@b.co' })) }, 'closed')).toEqual(
      {
        ok: true,
      },
    );
    const result = validateRequest('bulk_create_events', {
      body: bulkBody(bulkEntry({ email: 'a@b.co' }), bulkEntry({ first_name: 'No Id' })),
    });
    expect(pointers(violationsOf(result))).toEqual([
      '/data/attributes/events-bulk-create/data/1/attributes/profile/data/attributes',
    ]);
  });

  it('update_profile requires data.id', () => {
    const body = { data: { type: 'profile', attributes: { email: 'new@b.co' } } };
    expect(pointers(violationsOf(validateRequest('update_profile', { body })))).toEqual(['/data/id']);
  });
});

describe('slices', () => {
  it.each(OPERATION_IDS)('%s reads its rate limits and revision from the spec', (operationId) => {
    const slice = loadSlice(operationId);
    expect(slice.revision).toBe('2026-07-15');
    expect(slice.rateLimit.perMinute).toBeGreaterThan(slice.rateLimit.perSecond);
    expect(slice.headers.find((header) => header.name === 'revision')?.required).toBe(true);
  });

  it('carries Klaviyo’s published limits', () => {
    expect(loadSlice('create_event').rateLimit).toEqual({ perSecond: 350, perMinute: 3500 });
    expect(loadSlice('bulk_create_events').rateLimit).toEqual({ perSecond: 10, perMinute: 150 });
    expect(loadSlice('update_profile').rateLimit).toEqual({ perSecond: 75, perMinute: 750 });
  });
});
