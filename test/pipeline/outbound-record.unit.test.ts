import { describe, expect, it } from 'vitest';
import { parseOutboundRecord, toOutboundMessage } from '../../src/pipeline/outbound-record.ts';
import { createEventRequest } from './fixtures.ts';

describe('outbound records', () => {
  it('round-trips a request through the outbound message', () => {
    const request = createEventRequest('p1', 'o1');
    const message = toOutboundMessage(request);
    const parsed = parseOutboundRecord(Buffer.from(String(message.value)));
    expect(parsed).toEqual({ ok: true, request });
  });

  it.each([
    ['a tombstone', null],
    ['not JSON', Buffer.from('{nope')],
    ['an array', Buffer.from('[]')],
    ['another envelope version', Buffer.from('{"v":2}')],
    ['an unknown kind', Buffer.from(JSON.stringify({ ...createEventRequest('p', 'u'), kind: 'delete-profile' }))],
    ['a create-event without unique id', Buffer.from(JSON.stringify({ ...createEventRequest('p', 'u'), uniqueId: 3 }))],
  ])('turns %s into MALFORMED_REQUEST at stage deliver', (_label, value) => {
    const parsed = parseOutboundRecord(value);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error.code).toBe('MALFORMED_REQUEST');
    expect(!parsed.ok && parsed.error.stage).toBe('deliver');
  });
});
