import { describe, expect, it } from 'vitest';
import { groupErrorCause } from './group-errors.ts';

function typed(type: string): Error {
  return Object.assign(new Error(`broker said ${type}`), { type });
}

describe('groupErrorCause', () => {
  it('finds a group error wrapped by kafkajs retriers', () => {
    const cause = typed('ILLEGAL_GENERATION');
    const wrapped = new Error('KafkaJSNonRetriableError', { cause: new Error('retries', { cause }) });
    expect(groupErrorCause(wrapped)).toBe(cause);
  });
  it('returns the error itself when it already is one', () => {
    const error = typed('REBALANCE_IN_PROGRESS');
    expect(groupErrorCause(error)).toBe(error);
  });
  it('finds nothing in other errors', () => {
    expect(groupErrorCause(new Error('x', { cause: typed('TOPIC_AUTHORIZATION_FAILED') }))).toBeUndefined();
    expect(groupErrorCause('not an error')).toBeUndefined();
  });
});
