import { describe, expect, it } from 'vitest';
import { classify, FAILURE_POLICY, RelayError, type RelayErrorCode } from './errors.ts';

describe('failure policy (DESIGN.md §3)', () => {
  // The table, restated as the design states it: a change to the policy must change this test too.
  const expected: readonly [RelayErrorCode, 'dead-letter' | 'retry' | 'halt'][] = [
    ['NOT_WIRE_FORMAT', 'dead-letter'],
    ['UNKNOWN_SCHEMA_ID', 'dead-letter'],
    ['CORRUPT_AVRO', 'dead-letter'],
    ['VALIDATION_FAILED', 'dead-letter'],
    ['KLAVIYO_REJECTED', 'dead-letter'],
    ['KLAVIYO_CONFLICT', 'dead-letter'],
    ['KLAVIYO_RATE_LIMITED', 'retry'],
    ['KLAVIYO_UNAVAILABLE', 'retry'],
    ['NETWORK_ERROR', 'retry'],
    ['TIMEOUT', 'retry'],
    ['KLAVIYO_UNAUTHORIZED', 'halt'],
    ['HTTP_CLIENT_REFUSED', 'halt'],
    ['REGISTRY_UNAVAILABLE', 'retry'],
  ];
  it.each(expected)('%s → %s', (code, action) => {
    expect(classify(new RelayError(code, 'x')).action).toBe(action);
  });

  it('never dead-letters an infrastructure failure', () => {
    const infra = Object.entries(FAILURE_POLICY).filter(([, row]) => row.stage === 'infra');
    expect(infra.length).toBeGreaterThan(0);
    for (const [, row] of infra) expect(row.action).not.toBe('dead-letter');
  });
});

describe('classify', () => {
  it('keeps a RelayError as it is, with its retry hint', () => {
    const error = new RelayError('KLAVIYO_RATE_LIMITED', 'slow down', { retryAfterMs: 3_000 });
    expect(classify(error)).toEqual({
      code: 'KLAVIYO_RATE_LIMITED',
      action: 'retry',
      stage: 'deliver',
      message: 'slow down',
      retryAfterMs: 3_000,
    });
    expect(error.retriable).toBe(true);
  });

  it('lets a code be raised at another stage', () => {
    expect(classify(new RelayError('KLAVIYO_LIMIT_EXCEEDED', 'too big', { stage: 'validate' })).stage).toBe('validate');
  });

  it('is total: unknown values are INTERNAL and retried, never dead-lettered', () => {
    const hostile = {
      get message(): string {
        throw new Error('getter');
      },
    };
    const throwingToString = {
      toString: () => {
        throw new Error('nope');
      },
    };
    for (const value of [new TypeError('boom'), 'text', 42, null, undefined, hostile, throwingToString, Symbol('s')]) {
      const result = classify(value);
      expect(result.code).toBe('INTERNAL');
      expect(result.action).toBe('retry');
      expect(typeof result.message).toBe('string');
    }
  });
});
