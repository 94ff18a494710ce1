import { describe, expect, it } from 'vitest';
import type { SourceRecord } from '../source-record.ts';
import { originalRecord, readRetryRecord, retryMessage } from './retry-record.ts';

const outbound: SourceRecord = {
  topic: 'klaviyo.requests',
  partition: 2,
  offset: '41',
  timestamp: '1700000000000',
  key: Buffer.from('profile-1'),
  value: Buffer.from('{"kind":"create-event"}'),
  headers: { 'relay.event.id': 'e-1' },
};

describe('retry record', () => {
  it('carries attempts, next-attempt time, last failure and origin, and reads them back', () => {
    const origin = { topic: 'klaviyo.requests', partition: 2, offset: '41', timestamp: '1700000000000' };
    const message = retryMessage(outbound, origin, {
      attempts: 3,
      notBeforeMs: 1_700_000_005_000,
      firstFailedAtMs: 1_700_000_001_000,
      lastCode: 'KLAVIYO_UNAVAILABLE',
      lastStatus: 500,
    });
    expect(message.key).toEqual(outbound.key);
    expect(message.value).toEqual(outbound.value);
    const read: SourceRecord = {
      ...outbound,
      topic: 'klaviyo.requests.retry',
      offset: '7',
      timestamp: '1700000002000',
      headers: message.headers!,
    };
    expect(readRetryRecord(read)).toEqual({
      origin,
      state: {
        attempts: 3,
        notBeforeMs: 1_700_000_005_000,
        firstFailedAtMs: 1_700_000_001_000,
        lastCode: 'KLAVIYO_UNAVAILABLE',
        lastStatus: 500,
      },
    });
    // The dead letter of a retry record points at the outbound record, with only its own headers.
    expect(originalRecord(read, origin)).toMatchObject({ ...origin, headers: { 'relay.event.id': 'e-1' } });
  });

  it('a record without retry headers is due at once, with no attempts, at its own place', () => {
    const read = readRetryRecord({ ...outbound, headers: { 'relay.retry.attempts': 'many' } });
    expect(read.state).toMatchObject({ attempts: 0, notBeforeMs: 0, firstFailedAtMs: undefined });
    expect(read.origin).toMatchObject({ topic: 'klaviyo.requests', partition: 2, offset: '41' });
  });
});
