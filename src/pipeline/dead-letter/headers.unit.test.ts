import { describe, expect, it } from 'vitest';
import {
  bound,
  buildDeadLetterHeaders,
  DLQ_HEADER,
  headerText,
  HEADER_LIMITS,
  readDeadLetterHeaders,
} from './headers.ts';
import type { DeadLetterContext } from './headers.ts';

const context: DeadLetterContext = {
  originalTopic: 'identity.account.events',
  originalPartition: 3,
  originalOffset: '42',
  originalTimestamp: '1767225600000',
  consumerGroup: 'relay-projector',
  stage: 'validate',
  errorCode: 'VALIDATION_FAILED',
  errorMessage: 'data.resetLink: host evil.example is not allowed (https://evil.example/reset?token=s3cret)',
  errorDetail: { path: 'data.resetLink', apiKey: 'pk_live1234567890' },
  attempts: 1,
  firstFailedAt: new Date('2026-01-01T00:00:00.000Z'),
  failedAt: new Date('2026-01-01T00:00:01.000Z'),
  schemaId: 7,
  serviceVersion: '0.1.0',
};

describe('dead-letter headers', () => {
  it('round-trips the context through the headers', () => {
    const info = readDeadLetterHeaders(buildDeadLetterHeaders(undefined, context));
    expect(info).toMatchObject({
      originalTopic: 'identity.account.events',
      originalPartition: 3,
      originalOffset: '42',
      originalTimestamp: '1767225600000',
      consumerGroup: 'relay-projector',
      stage: 'validate',
      errorCode: 'VALIDATION_FAILED',
      attempts: 1,
      firstFailedAt: '2026-01-01T00:00:00.000Z',
      failedAt: '2026-01-01T00:00:01.000Z',
      schemaId: 7,
      serviceVersion: '0.1.0',
      replayCount: 0,
    });
    expect(info.errorDetail).toEqual({ path: 'data.resetLink', apiKey: '[REDACTED]' });
  });

  it('keeps the original headers, replaces stale context headers and keeps replay headers', () => {
    const original = {
      traceparent: Buffer.from('00-abc-def-01'),
      [DLQ_HEADER.errorCode]: Buffer.from('OLD_CODE'),
      '__connect.errors.stage': Buffer.from('old'),
      [DLQ_HEADER.replayId]: Buffer.from('r-1'),
      [DLQ_HEADER.replayCount]: Buffer.from('2'),
    };
    const headers = buildDeadLetterHeaders(original, context);
    expect(headerText(headers, 'traceparent')).toBe('00-abc-def-01');
    expect(headerText(headers, DLQ_HEADER.errorCode)).toBe('VALIDATION_FAILED');
    expect(headerText(headers, '__connect.errors.stage')).toBe('validate');
    expect(readDeadLetterHeaders(headers)).toMatchObject({ replayId: 'r-1', replayCount: 2 });
  });

  it('never writes a reset token or an API key', () => {
    const headers = buildDeadLetterHeaders(undefined, { ...context, secrets: ['pk_live1234567890'] });
    const all = Object.values(headers)
      .map((value) => (Buffer.isBuffer(value) ? value.toString('latin1') : String(value)))
      .join('\n');
    expect(all).not.toContain('s3cret');
    expect(all).not.toContain('pk_live1234567890');
    expect(all).toContain('https://evil.example/reset?[REDACTED]');
  });

  it("writes Spring Kafka's binary partition, offset and timestamp", () => {
    const headers = buildDeadLetterHeaders(undefined, context);
    expect((headers['kafka_dlt-original-partition'] as Buffer).readInt32BE()).toBe(3);
    expect((headers['kafka_dlt-original-offset'] as Buffer).readBigInt64BE()).toBe(42n);
    expect((headers['kafka_dlt-original-timestamp'] as Buffer).readBigInt64BE()).toBe(1767225600000n);
    expect(headerText(headers, '__connect.errors.offset')).toBe('42');
  });

  it('bounds every value and says what it cut', () => {
    const huge = 'é'.repeat(50_000);
    const headers = buildDeadLetterHeaders(undefined, { ...context, errorMessage: huge, errorDetail: { huge } });
    const message = headerText(headers, DLQ_HEADER.errorMessage)!;
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(HEADER_LIMITS.message);
    expect(message).toMatch(/…\[truncated 100000 bytes]$/);
    expect(Buffer.byteLength(headerText(headers, DLQ_HEADER.errorDetail)!)).toBeLessThanOrEqual(HEADER_LIMITS.detail);
    expect(readDeadLetterHeaders(headers).errorDetail).toEqual(expect.stringContaining('truncated'));
  });

  it('never splits a multi-byte character when bounding', () => {
    for (let max = 30; max < 60; max += 1) {
      const value = bound('€'.repeat(40), max);
      expect(value).not.toContain('\uFFFD');
      expect(Buffer.byteLength(value)).toBeLessThanOrEqual(max);
    }
  });
});
