import { logLevel, type LogEntry } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from './client.ts';

/**
 * Entries as kafkajs 2.2.4 emits them, captured from a real broker (test/pipeline/kafka-logs.int.test.ts
 * captures them again, so a kafkajs upgrade that changes their shape fails there).
 */
const entry = (namespace: string, level: logLevel, log: Record<string, unknown>): LogEntry => ({
  namespace,
  level,
  label: logLevel[level],
  log: { timestamp: '2026-11-29T16:51:18.750Z', logger: 'kafkajs', message: '', ...log },
});

describe('kafkaLogLevel', () => {
  it.each([
    [
      'a raw protocol error answer (CreateTopics of an existing topic)',
      entry('Connection', logLevel.ERROR, {
        message: 'Response CreateTopics(key: 19, version: 3)',
        broker: '127.0.0.1:9092',
        clientId: 'probe',
        error: 'Topic creation errors',
        correlationId: 5,
        size: 90,
      }),
      'debug',
    ],
    [
      'the answer CONCURRENT_TRANSACTIONS after a commit',
      entry('Connection', logLevel.ERROR, {
        message: 'Response AddPartitionsToTxn(key: 24, version: 1)',
        broker: '127.0.0.1:9092',
        error:
          'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing',
      }),
      'debug',
    ],
    [
      'a retry kafkajs has scheduled',
      entry('Producer', logLevel.ERROR, { message: 'Failed to send messages', retryCount: 0, retryTime: 21 }),
      'warn',
    ],
    [
      'a failure kafkajs gave up on',
      entry('Consumer', logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded' }),
      'error',
    ],
    ['a connection error', entry('Connection', logLevel.ERROR, { message: 'Connection error: ECONNREFUSED' }), 'error'],
    ['a warning', entry('Consumer', logLevel.WARN, { message: 'heartbeat late' }), 'warn'],
    ['information', entry('Consumer', logLevel.INFO, { message: 'Starting' }), 'info'],
    ['debug detail', entry('Connection', logLevel.DEBUG, { message: 'Request Fetch(key: 1, version: 11)' }), 'debug'],
  ] as const)('%s → %s', (_what, given, level) => {
    expect(kafkaLogLevel(given)).toBe(level);
  });
});
