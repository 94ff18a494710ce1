import { describe, expect, it } from 'vitest';
import { FAILURE_POLICY, RelayError } from '../errors.ts';
import {
  backoffDelayMs,
  codeForStatus,
  errorForResponse,
  parseKlaviyoErrors,
  parseRetryAfter,
  retryDelayMs,
} from './retry-policy.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('retry policy: status → code → action', () => {
  it.each([
    [400, 'KLAVIYO_REJECTED', 'dead-letter'],
    [401, 'KLAVIYO_UNAUTHORIZED', 'halt'],
    [403, 'KLAVIYO_UNAUTHORIZED', 'halt'],
    [404, 'KLAVIYO_NOT_FOUND', 'dead-letter'],
    [405, 'KLAVIYO_REJECTED', 'dead-letter'],
    [408, 'KLAVIYO_UNAVAILABLE', 'retry'],
    [409, 'KLAVIYO_CONFLICT', 'dead-letter'],
    [413, 'KLAVIYO_REJECTED', 'dead-letter'],
    [422, 'KLAVIYO_REJECTED', 'dead-letter'],
    [425, 'KLAVIYO_UNAVAILABLE', 'retry'],
    [429, 'KLAVIYO_RATE_LIMITED', 'retry'],
    [500, 'KLAVIYO_UNAVAILABLE', 'retry'],
    [502, 'KLAVIYO_UNAVAILABLE', 'retry'],
    [503, 'KLAVIYO_UNAVAILABLE', 'retry'],
    [504, 'KLAVIYO_UNAVAILABLE', 'retry'],
  ] as const)('%i → %s (%s)', (status, code, action) => {
    expect(codeForStatus(status)).toBe(code);
    expect(FAILURE_POLICY[codeForStatus(status)].action).toBe(action);
  });
});

describe('Retry-After', () => {
  it.each([
    ['seconds', '7', 7_000],
    ['zero seconds', '0', 0],
    ['seconds with spaces', ' 120 ', 120_000],
    ['HTTP-date 30 s ahead', 'Sun, 01 Mar 2026 12:00:30 GMT', 30_000],
    ['HTTP-date in the past', 'Sun, 01 Mar 2026 11:59:00 GMT', 0],
    ['absent', undefined, undefined],
    ['junk', 'soon', undefined],
    ['a fraction', '1.5', undefined],
  ])('%s: %j → %j ms', (_name, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('a 429 carries Retry-After and is honoured in full, even above the backoff cap', () => {
    const error = errorForResponse('create_event', { status: 429, body: undefined, retryAfter: '90' }, NOW);
    expect(error.code).toBe('KLAVIYO_RATE_LIMITED');
    expect(error.retryAfterMs).toBe(90_000);
    expect(retryDelayMs(error, 0, { baseMs: 100, capMs: 1_000, random: () => 0.99 })).toBe(90_000);
  });
});

describe('full-jitter backoff', () => {
  const parameters = (random: number) => ({ baseMs: 100, capMs: 2_000, random: () => random });
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [3, 0.5, 400],
    [3, 0.999, 799],
    [10, 0.5, 1_000],
    [10, 0, 0],
  ])('attempt %i with random %f → %i ms', (attempt, random, expected) => {
    expect(backoffDelayMs(attempt, parameters(random))).toBe(expected);
  });

  it('never exceeds the cap for any attempt', () => {
    for (let attempt = 0; attempt < 64; attempt += 1) {
      expect(backoffDelayMs(attempt, parameters(0.999999))).toBeLessThan(2_000);
    }
  });

  it('non-429 errors back off with jitter, ignoring Retry-After', () => {
    const error = new RelayError('KLAVIYO_UNAVAILABLE', 'down', { retryAfterMs: 60_000 });
    expect(retryDelayMs(error, 2, parameters(0.25))).toBe(100);
  });
});

describe("Klaviyo's errors[]", () => {
  it('keeps code, title, detail and source.pointer, and drops malformed items', () => {
    const body = {
      errors: [
        {
          id: 'e1',
          status: 400,
          code: 'invalid',
          title: 'Invalid input.',
          detail: "'metric' is a required field.",
          source: { pointer: '/data/attributes/metric' },
        },
        'not an object',
      ],
    };
    expect(parseKlaviyoErrors(body)).toEqual([
      {
        id: 'e1',
        status: 400,
        code: 'invalid',
        title: 'Invalid input.',
        detail: "'metric' is a required field.",
        source: { pointer: '/data/attributes/metric' },
      },
    ]);
    expect(parseKlaviyoErrors('<html>')).toEqual([]);
  });

  it('a 400 becomes a permanent KLAVIYO_REJECTED carrying the errors in detail', () => {
    const body = {
      errors: [{ code: 'invalid', title: 'Invalid input.', detail: 'bad', source: { pointer: '/data' } }],
    };
    const error = errorForResponse('create_event', { status: 400, body, retryAfter: undefined }, NOW);
    expect(error.code).toBe('KLAVIYO_REJECTED');
    expect(error.retriable).toBe(false);
    expect(error.detail).toMatchObject({ status: 400, errors: [{ source: { pointer: '/data' } }] });
    expect(error.message).toContain('Invalid input.: bad');
  });
});
