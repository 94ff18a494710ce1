import { describe, expect, it } from 'vitest';
import { frame, unframe } from './wire-format.ts';

describe('Confluent wire format', () => {
  it('frames and unframes: magic byte 0, big-endian schema id, body', () => {
    const framed = frame(0x01020304, Buffer.from([9, 8, 7]));
    expect([...framed]).toEqual([0, 1, 2, 3, 4, 9, 8, 7]);
    const result = unframe(framed);
    expect(result.ok && result.schemaId).toBe(0x01020304);
    expect(result.ok && [...result.body]).toEqual([9, 8, 7]);
  });

  it('reads the largest schema id unsigned', () => {
    const result = unframe(frame(0xffffffff, Buffer.alloc(0)));
    expect(result.ok && result.schemaId).toBe(4_294_967_295);
  });

  it.each([
    ['a tombstone', null, /tombstone/],
    ['an empty value', Buffer.alloc(0), /shorter than the 5-byte/],
    ['four bytes', Buffer.from([0, 0, 0, 1]), /shorter than the 5-byte/],
    ['JSON', Buffer.from('{"type":"OrderPlaced"}'), /not the Confluent magic byte/],
    ['magic byte 1', Buffer.from([1, 0, 0, 0, 1, 2]), /starts with byte 1/],
  ])('rejects %s as NOT_WIRE_FORMAT', (_name, bytes, message) => {
    const result = unframe(bytes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('NOT_WIRE_FORMAT');
      expect(result.error.message).toMatch(message);
    }
  });
});
