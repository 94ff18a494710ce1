// Do kafkajs's transactions hold under load and faults? The projector runs over thousands of records in
// hundreds of small back-to-back transactions on three partitions, while (a) the "registry" fails on a
// share of first reads (cutting chunks short, so transactions follow each other immediately and retries
// interleave), and (b) a second instance joins mid-run and leaves again (rebalance: producers released,
// transactional ids re-initialised and fenced). Afterwards a read_committed reader must see every
// request exactly once. kafkajs's own error responses (CONCURRENT_TRANSACTIONS, fencing, "another
// operation in progress") are counted from its logs and printed with the numbers.
import kafkajs from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import { createRelayMetrics } from '../../src/observability/metrics.ts';
import type { DecodeRecord } from '../../src/pipeline/projector/ports.ts';
import { consumeUntil, testEndpoints, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { decodeJson, jsonProjector, type JsonEvent } from './support.ts';
import { createTopicsFor } from './topics-helper.ts';

const RECORDS = Number(process.env['RELAY_TX_LOAD_RECORDS'] ?? 3_000);
const PER_TRANSACTION = 25;
const FAULT_SHARE = 0.02;

describe('kafkajs transactions under load and faults', () => {
  it('every request exactly once for read_committed, across retries and a rebalance', async () => {
    const kafkaErrors = new Map<string, number>();
    const kafka = new kafkajs.Kafka({
      clientId: 'tx-load',
      brokers: testEndpoints().kafkaBrokers.split(','),
      logLevel: kafkajs.logLevel.ERROR,
      logCreator: () => (entry) => {
        // kafkajs logs each failed protocol response (before its own retry) and each failed send.
        const error = `${String(entry.log.message)}: ${String(entry.log['error'] ?? '')}`;
        const key = /CONCURRENT_TRANSACTIONS|concurrent operation on the same transaction/i.test(error)
          ? 'CONCURRENT_TRANSACTIONS'
          : /another operation/i.test(error)
            ? 'ANOTHER_OPERATION_IN_PROGRESS'
            : /fenced|epoch/i.test(error)
              ? 'FENCED_OR_EPOCH'
              : error.slice(0, 80);
        kafkaErrors.set(key, (kafkaErrors.get(key) ?? 0) + 1);
      },
    });
    const source = uniqueName('tx.load.src');
    const outbound = uniqueName('tx.load.out');
    const group = uniqueName('tx-load');
    await createTopicsFor(kafka, { sourceTopics: [source], outboundTopic: outbound, partitions: 3 });

    // Idempotent: a retried send of a plain producer can write source records twice on a fresh topic.
    const producer = testKafka('tx-load-pub').producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let start = 0; start < RECORDS; start += 1_000) {
      const events: JsonEvent[] = Array.from({ length: Math.min(1_000, RECORDS - start) }, (_, offset) => ({
        type: 'OrderPlaced',
        id: `load-${start + offset}`,
        profile: `p${(start + offset) % 50}`,
      }));
      await producer.send({
        topic: source,
        messages: events.map((event) => ({ key: event.profile, value: JSON.stringify(event) })),
      });
    }
    await producer.disconnect();

    const failedOnce = new Set<string>();
    let injected = 0;
    const flakyDecode: DecodeRecord<JsonEvent> = async (record) => {
      const id = `${record.partition}:${record.offset}`;
      if (!failedOnce.has(id) && Math.random() < FAULT_SHARE) {
        failedOnce.add(id);
        injected += 1;
        throw new RelayError('REGISTRY_UNAVAILABLE', 'injected registry outage');
      }
      return decodeJson(record);
    };
    const metrics = createRelayMetrics();
    const instance = () =>
      jsonProjector({
        kafka,
        groupId: group,
        topics: [source],
        outboundTopic: outbound,
        decode: flakyDecode,
        metrics,
        maxRecordsPerTransaction: PER_TRANSACTION,
        backoff: { baseMs: 20, capMs: 200 },
      });
    const started = Date.now();
    const first = instance();
    await first.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const second = instance();
    await second.start();
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await second.stop();

    const seen = await consumeUntil(kafka.consumer({ groupId: uniqueName('tx-load-rc'), readUncommitted: false }), {
      topics: [outbound],
      count: RECORDS,
      timeoutMs: 180_000,
      settleMs: 2_000,
    });
    const elapsedMs = Date.now() - started;
    await first.stop();

    const ids = seen.map((record) => (JSON.parse(String(record.value)) as { uniqueId: string }).uniqueId);
    const transactions = Object.fromEntries(
      (await metrics.transactions.get()).values.map((entry) => [String(entry.labels.outcome), entry.value]),
    );
    process.stderr.write(
      `[tx-load] ${RECORDS} records, ${PER_TRANSACTION}/transaction, 3 partitions, ${injected} injected retries, ` +
        `1 join + 1 leave: ${elapsedMs} ms end to end (${Math.round((RECORDS / elapsedMs) * 1000)} records/s); ` +
        `transactions ${JSON.stringify(transactions)}; kafkajs error responses ${JSON.stringify(Object.fromEntries(kafkaErrors))}; ` +
        `read_committed saw ${ids.length} records, ${new Set(ids).size} distinct\n`,
    );
    expect(injected).toBeGreaterThan(0);
    expect(ids).toHaveLength(RECORDS);
    expect(new Set(ids).size).toBe(RECORDS);
    expect(transactions['committed']).toBeGreaterThanOrEqual(RECORDS / PER_TRANSACTION);
  });
});
