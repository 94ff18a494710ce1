import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from './client.ts';

const entry = (level: logLevel, log: Record<string, unknown>) => ({
  level,
  log: { timestamp: '2026-01-01T00:00:00.000Z', logger: 'kafkajs', message: '', ...log },
});

describe('kafkaLogLevel', () => {
  it.each([
    [
      'a raw protocol error answer, before kafkajs retries it',
      entry(logLevel.ERROR, { message: '[Connection] Response AddPartitionsToTxn(key: 24, version: 1)' }),
      'debug',
    ],
    [
      'a retry kafkajs has scheduled',
      entry(logLevel.ERROR, { message: '[Producer] Failed to send messages', retryCount: 0, retryTime: 21 }),
      'warn',
    ],
    [
      'a failure kafkajs gave up on',
      entry(logLevel.ERROR, { message: '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded' }),
      'error',
    ],
    ['a warning', entry(logLevel.WARN, { message: '[Consumer] heartbeat late' }), 'warn'],
    ['information', entry(logLevel.INFO, { message: '[Consumer] Starting' }), 'info'],
    ['debug detail', entry(logLevel.DEBUG, { message: '[Connection] Request Fetch' }), 'debug'],
  ] as const)('%s → %s', (_what, given, level) => {
    expect(kafkaLogLevel(given)).toBe(level);
  });
});
