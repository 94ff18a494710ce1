// Scenario 6, bad input: a corpus of hostile records mixed 1:100 into valid traffic on every partition.
// Each hostile record ends in <topic>.dlq exactly once with the code the failure policy gives it; every
// valid record is delivered once; no partition stalls behind a bad record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/domain/events.ts';
import { DLQ_HEADER } from '../../src/pipeline/dead-letter/headers.ts';
import { deadLetterTopic } from '../../src/pipeline/source-record.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { expectedEvents, relayConfig } from '../e2e/relay-harness.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { createLayoutTopics } from './support/topics.ts';
import { countsBy, reportFigures } from './support/figures.ts';
import { hostileCorpus, type HostileRecord } from './support/hostile.ts';
import {
  deliveryFigures,
  expectExactDelivery,
  peakRequestsPerSecond,
  resendBound,
  faultSandbox,
  hasAll,
  readTopic,
} from './support/outcome.ts';
import { byProfile } from './support/profile.ts';
import { faultLayout, faultRelayEnv, sleep, spawnRelay, until } from './support/relay-process.ts';
import { encodeAll, mixedEvents, sendRecords } from './support/traffic.ts';

const ROUNDS = byProfile({ ci: 1, full: 5 });
const PARTITIONS = 4;
/** Room for the 10 MB record on the domain topic and on its dead-letter topic (the broker default is 1 MB). */
const MAX_MESSAGE_BYTES = String(16 * 1024 * 1024);

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await faultSandbox();
});
afterAll(async () => {
  await sandbox.close();
});

describe('bad input: hostile records among valid traffic', () => {
  it('dead-letters each hostile record with its code and delivers every valid one', async () => {
    const layout = faultLayout('badinput');
    const endpoints = testEndpoints();
    const env = faultRelayEnv(layout, {
      kafkaBrokers: endpoints.kafkaBrokers,
      registryUrl: endpoints.schemaRegistryUrl,
      klaviyoUrl: sandbox.url,
      partitions: PARTITIONS,
    });
    const kafka = testKafka('faults-badinput');
    const large = { 'max.message.bytes': MAX_MESSAGE_BYTES };
    await createLayoutTopics(kafka, layout, PARTITIONS, {
      [layout.sourceTopic]: large,
      [deadLetterTopic(layout.sourceTopic)]: large,
    });

    const hostile: HostileRecord[] = [];
    const valid: DomainEvent[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const events = mixedEvents(1_400, `bad${round}${Date.now().toString(36)}`);
      valid.push(...events);
      hostile.push(...(await hostileCorpus(events, layout.sourceTopic, endpoints.schemaRegistryUrl, round)));
    }
    const expected = await expectedEvents(valid, relayConfig(env));
    const encoded = await encodeAll(valid, layout.sourceTopic, endpoints.schemaRegistryUrl);
    const ratio = Math.round(encoded.length / hostile.length);
    // Interleave: one hostile record after every `ratio` valid ones, each keyed to its own partition spread.
    const stream: { key: string; value: Buffer }[] = [];
    encoded.forEach((record, index) => {
      stream.push(record);
      const bad = hostile[Math.floor(index / ratio)];
      if (index % ratio === ratio - 1 && bad !== undefined) stream.push(bad);
    });
    const sentHostile = stream.filter((record) => record.key.startsWith('hostile-')).length;
    const relay = spawnRelay(env, 'bad-input');
    const started = Date.now();
    // Sent in small batches so the 10 MB record travels alone.
    for (let start = 0; start < stream.length; start += 100) {
      await sendRecords(kafka, layout.sourceTopic, stream.slice(start, start + 100), 100);
    }
    try {
      await until(
        () => hasAll(sandbox, expected),
        byProfile({ ci: 240_000, full: 900_000 }),
        'every valid event delivered',
      );
      await sleep(2_000);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    const elapsedMs = Date.now() - started;
    const deadLetters = await readTopic(kafka, deadLetterTopic(layout.sourceTopic));
    const outboundDeadLetters = await readTopic(kafka, deadLetterTopic(layout.outboundTopic));
    const delivery = deliveryFigures(sandbox, expected);
    const rawBound = resendBound(1, peakRequestsPerSecond(sandbox));
    const byKey = new Map(hostile.map((record) => [record.key, record]));
    const wrong = deadLetters.flatMap((record) => {
      const expectedCode = byKey.get(record.key ?? '')?.expectedCode;
      const code = record.headers[DLQ_HEADER.errorCode];
      return expectedCode === code
        ? []
        : [`${record.key ?? '(no key)'}: ${code ?? '(no code)'} instead of ${expectedCode ?? 'delivery'}`];
    });
    const hostilePartitions = new Set(deadLetters.map((record) => record.headers[DLQ_HEADER.originalPartition]));
    reportFigures('bad-input', {
      'valid domain events sent': valid.length,
      'hostile records sent': sentHostile,
      'mix (valid per hostile)': ratio,
      'Klaviyo events expected': delivery.expected,
      'Klaviyo events recorded': delivery.recorded,
      lost: delivery.lost,
      'duplicates recorded': delivery.duplicatesRecorded,
      'duplicate requests absorbed by dedup': delivery.duplicatesAbsorbed,
      'raw duplicate requests (events and PATCHes sent again)': delivery.rawDuplicates,
      'raw re-send bound (disruptions × (1 s at peak + in flight))': rawBound,
      'dead letters on the domain .dlq': deadLetters.length,
      'dead letters on the outbound .dlq': outboundDeadLetters.length,
      'dead letters with a wrong code': wrong.length,
      'partitions holding hostile records': hostilePartitions.size,
      ...countsBy(
        deadLetters.map((record) => record.headers[DLQ_HEADER.errorCode] ?? '(none)'),
        'code ',
      ),
      'seconds to drain': Math.round(elapsedMs / 1000),
    });
    expect(wrong).toEqual([]);
    expect(deadLetters.map((record) => record.key).sort()).toEqual(hostile.map((record) => record.key).sort());
    expectExactDelivery(delivery, rawBound);
    expect(outboundDeadLetters).toEqual([]);
    expect(hostilePartitions.size).toBe(PARTITIONS);
  });
});
