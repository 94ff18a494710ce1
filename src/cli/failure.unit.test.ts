import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../errors.ts';
import { debugRequested, describeFailure } from './failure.ts';

const deepRangeError = (): RangeError => {
  const nested = (depth: number): unknown => (depth === 0 ? 0 : [nested(depth - 1)]);
  try {
    JSON.stringify(nested(200_000));
  } catch (error) {
    if (error instanceof RangeError) return error;
  }
  throw new Error('expected a RangeError');
};

describe('describeFailure', () => {
  it.each([
    [
      'a missing topic',
      new RelayError('NOT_FOUND', 'topic x.dlq does not exist'),
      2,
      'topic x.dlq does not exist (NOT_FOUND)',
    ],
    [
      'a refused operation',
      new RelayError('USAGE_INVALID', 'purge changes only dead-letter topics'),
      2,
      'USAGE_INVALID',
    ],
    [
      'an unreachable registry',
      new RelayError('REGISTRY_UNAVAILABLE', 'registry at http://r answered 404'),
      2,
      'http://r',
    ],
    ['a record-level failure', new RelayError('VALIDATION_FAILED', 'bad email'), 1, 'bad email (VALIDATION_FAILED)'],
    [
      'kafkajs giving up on a broker it cannot reach',
      new KafkaJSNumberOfRetriesExceeded(
        new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:1'),
        { retryCount: 5, retryTime: 100 },
      ),
      2,
      'Kafka cannot be reached: Connection error: connect ECONNREFUSED 127.0.0.1:1',
    ],
    ['a deeply nested input', deepRangeError(), 2, 'nested too deeply'],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'x')"), 1, '(TypeError)'],
  ] as const)('%s: exit %i, one line', (_what, error, exitCode, fragment) => {
    const failure = describeFailure(error, { debug: false });
    expect(failure.exitCode).toBe(exitCode);
    expect(failure.text).toContain(fragment);
    expect(failure.text.split('\n')).toHaveLength(1);
    expect(failure.text).not.toMatch(/\n\s+at /);
  });

  it('prints the stack only when debugging, and redacts it', () => {
    const error = new Error('call with pk_0123456789abcdef failed');
    const shown = describeFailure(error, { debug: true });
    expect(shown.text).toMatch(/\n\s+at /);
    expect(shown.text).not.toContain('pk_0123456789abcdef');
    expect(debugRequested(['node', 'cli', 'dlq', 'list', 'x', '--debug'], {})).toBe(true);
    expect(debugRequested(['node', 'cli'], { LOG_LEVEL: 'debug' })).toBe(true);
    expect(debugRequested(['node', 'cli'], { LOG_LEVEL: 'info' })).toBe(false);
  });
});
