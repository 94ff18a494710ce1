import { describe, expect, it } from 'vitest';
import { RelayError } from '../errors.ts';
import { checkEventTime, toIsoInstant, toKlaviyoTime } from './time.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('event time', () => {
  it('is ISO 8601 with an explicit offset, truncated to the second as Klaviyo keeps it', () => {
    expect(toKlaviyoTime(Date.parse('2023-10-15T00:00:00Z'))).toBe('2023-10-15T00:00:00+00:00');
    expect(toKlaviyoTime(Date.parse('2023-10-15T12:34:56.789Z'))).toBe('2023-10-15T12:34:56+00:00');
    expect(toIsoInstant(Date.parse('2023-10-15T12:34:56.789Z'))).toBe('2023-10-15T12:34:56.789Z');
  });

  it('accepts times from 2000 to one year ahead', () => {
    expect(() => checkEventTime(Date.parse('2000-01-01T00:00:00Z'), NOW, 'occurredAt')).not.toThrow();
    expect(() => checkEventTime(NOW + 365 * 86_400_000, NOW, 'occurredAt')).not.toThrow();
  });

  it.each([
    ['before 2000', Date.parse('1999-12-31T23:59:59Z'), /before 2000/],
    ['more than a year ahead', NOW + 365 * 86_400_000 + 1, /more than one year ahead/],
    ['not a number', Number.NaN, /not a valid time/],
  ])('rejects a time %s with KLAVIYO_LIMIT_EXCEEDED', (_case, time, message) => {
    let caught: unknown;
    try {
      checkEventTime(time, NOW, 'occurredAt');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RelayError);
    expect((caught as RelayError).code).toBe('KLAVIYO_LIMIT_EXCEEDED');
    expect((caught as RelayError).message).toMatch(message);
  });
});
