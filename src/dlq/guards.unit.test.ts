import { describe, expect, it } from 'vitest';
import { isRelayError } from '../errors.ts';
import { NO_FILTER } from './filter.ts';
import { assertChangeableTopic, assertPurgeAllUnfiltered, filtersGiven, isDeadLetterTopic } from './guards.ts';

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return isRelayError(error) ? error.code : 'not a RelayError';
  }
}

describe('the dlq guards', () => {
  it.each([
    ['identity.account.events.dlq', true],
    ['klaviyo.requests.dlq', true],
    ['identity.account.events.dlq.parked', true],
    ['probe.prod.events', false],
    ['klaviyo.requests', false],
    ['.dlq', false],
    ['events.dlq.backup', false],
  ] as const)('%s is a dead-letter topic: %s', (topic, expected) => {
    expect(isDeadLetterTopic(topic)).toBe(expected);
  });

  it('refuses to change a topic that is not a dead-letter topic unless forced', () => {
    expect(codeOf(() => assertChangeableTopic('probe.prod.events', 'purge', false))).toBe('USAGE_INVALID');
    expect(codeOf(() => assertChangeableTopic('probe.prod.events', 'purge', undefined))).toBe('USAGE_INVALID');
    expect(codeOf(() => assertChangeableTopic('probe.prod.events', 'purge', true))).toBeUndefined();
    expect(codeOf(() => assertChangeableTopic('probe.prod.events.dlq', 'replay', false))).toBeUndefined();
  });

  it('refuses --all next to any filter, naming the filters', () => {
    expect(codeOf(() => assertPurgeAllUnfiltered(NO_FILTER))).toBeUndefined();
    const filter = { ...NO_FILTER, codes: ['NO_SUCH_CODE'], keys: ['nobody'] };
    expect(codeOf(() => assertPurgeAllUnfiltered(filter))).toBe('USAGE_INVALID');
    expect(() => assertPurgeAllUnfiltered(filter)).toThrow(/--code, --key/);
    expect(filtersGiven({ ...NO_FILTER, since: 1, limit: 3, partitions: [{ from: 0, to: 0 }] })).toEqual([
      '--since',
      '--partition',
      '--limit',
    ]);
  });
});
