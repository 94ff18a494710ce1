/**
 * The plain-kafkajs anchor: a consumer with kafkajs defaults that only counts records, in its own process.
 * Reports `ready` after joining the group and `done` once it has counted BENCH_EXPECTED records.
 * Environment: BENCH_BROKERS, BENCH_TOPICS (comma-separated), BENCH_GROUP, BENCH_EXPECTED.
 */
import kafkajs from 'kafkajs';
import { peakRssBytes, snapshot, type WorkerMessage } from '../lib/worker-protocol.ts';

const { Kafka, logLevel } = kafkajs;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

try {
  const expected = Number(required('BENCH_EXPECTED'));
  const kafka = new Kafka({
    clientId: 'bench-count-consumer',
    brokers: required('BENCH_BROKERS').split(','),
    logLevel: logLevel.ERROR,
  });
  const consumer = kafka.consumer({ groupId: required('BENCH_GROUP') });
  await consumer.connect();
  await consumer.subscribe({ topics: required('BENCH_TOPICS').split(','), fromBeginning: true });
  let counted = 0;
  let finished = false;
  await consumer.run({
    eachBatch: async ({ batch }) => {
      counted += batch.messages.length;
      if (counted >= expected && !finished) {
        finished = true;
        const done = snapshot();
        setImmediate(() => {
          void consumer.disconnect().finally(() => {
            send({ kind: 'done', snapshot: done, peakRssBytes: peakRssBytes(), counters: { counted } });
            process.disconnect?.();
          });
        });
      }
    },
  });
  send({ kind: 'ready', snapshot: snapshot() });
} catch (error) {
  send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
