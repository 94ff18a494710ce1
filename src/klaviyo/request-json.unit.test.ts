import { describe, expect, it } from 'vitest';
import type { KlaviyoRequest } from './request.ts';
import { requestJson } from './request-json.ts';

function request(onSerialise: () => void): KlaviyoRequest {
  const body = { data: { type: 'profile', id: 'p1', attributes: { email: 'a@example.com' } } } as const;
  return {
    v: 1,
    kind: 'update-profile',
    requestId: 'evt-1:0',
    profileKey: 'email:a@example.com',
    source: { eventType: 'EmailChanged', eventId: 'evt-1', occurredAt: '2026-03-01T12:00:00.000Z' },
    profileId: 'p1',
    lookup: { email: 'a@example.com' },
    // Counts serialisations: JSON.stringify calls toJSON once per run over the request.
    body: Object.assign(Object.create({ toJSON: () => (onSerialise(), body) }) as object, body) as typeof body,
  };
}

describe('requestJson', () => {
  it("is the request's JSON, made once per request", () => {
    let serialised = 0;
    const counted = request(() => (serialised += 1));
    const text = requestJson(counted);
    expect(JSON.parse(text)).toMatchObject({ requestId: 'evt-1:0', body: { data: { id: 'p1' } } });
    expect(requestJson(counted)).toBe(text);
    expect(serialised).toBe(1);
    requestJson(request(() => (serialised += 1)));
    expect(serialised).toBe(2);
  });
});
