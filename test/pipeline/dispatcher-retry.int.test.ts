// Non-blocking retries against the real broker, with a scripted delivery engine: a request answered 500
// for ever leaves the head of its partition for the retry topic (with its profile's later request behind
// it), the committed offset moves past it, everything else is delivered; once the fault clears it is
// delivered, its profile's order intact, nothing dead-lettered. A request that keeps failing past the
// maximum age is dead-lettered as DELIVERY_EXPIRED. A Klaviyo-wide outage hands nothing off.
import { afterEach, describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import type { KlaviyoRequest } from '../../src/klaviyo/request.ts';
import { readDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import type { DispatcherOptions } from '../../src/pipeline/dispatcher/dispatcher.ts';
import type { DeliverBatch, DeliveryOutcome } from '../../src/pipeline/dispatcher/ports.ts';
import type { RoleHandle } from '../../src/pipeline/role.ts';
import { consumeUntil, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { until } from '../support/until.ts';
import { createEventRequest } from './fixtures.ts';
import { committedTotal, publishRequests, startTestDispatcher } from './support.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('dispatcher-retry-int');
const running: RoleHandle[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((role) => role.stop()));
});

function start(topic: string, groupId: string, deliver: DeliverBatch, extra: Partial<DispatcherOptions> = {}) {
  return startTestDispatcher(kafka, running, {
    topic,
    groupId,
    deliver,
    retryBackoff: { baseMs: 100, capMs: 1_000 },
    handOff: { attempts: 3, afterMs: 5_000 },
    ...extra,
  });
}

function failing(request: KlaviyoRequest): DeliveryOutcome {
  const error = new RelayError('KLAVIYO_UNAVAILABLE', 'Klaviyo answered 500', { detail: { status: 500 } });
  return { status: 'retry-later', request, error, retryAfterMs: 100, httpStatus: 500 };
}

function uniqueIdOf(request: KlaviyoRequest): string {
  return request.kind === 'create-event' ? request.uniqueId : request.requestId;
}

/** The dead letters of `topic`: `expected` of them, or (expected 0) whatever arrives within 8 s. */
async function deadLetters(topic: string, expected: number) {
  const contexts: ReturnType<typeof readDeadLetterHeaders>[] = [];
  const reading = consumeUntil(kafka.consumer({ groupId: uniqueName('dlq-reader') }), {
    topics: [`${topic}.dlq`],
    count: Math.max(1, expected),
    timeoutMs: expected === 0 ? 8_000 : 30_000,
    settleMs: 500,
    onMessage: async ({ message }) => {
      contexts.push(readDeadLetterHeaders(message.headers));
    },
  });
  if (expected === 0) await reading.catch(() => undefined);
  else await reading;
  return contexts;
}

describe('dispatcher: non-blocking retries', () => {
  it('a request failing for ever leaves the head: the rest is delivered and committed, it follows once the fault clears', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 1 });
    // 150 requests on one partition, profiles shared (every fifth request one profile); the stuck one is
    // request 10 of profile p0, whose later requests must wait behind it.
    const requests = Array.from({ length: 150 }, (_, index) => createEventRequest(`p${index % 30}`, `u${index}`));
    const stuck = 'u30';
    await publishRequests(kafka, topic, requests);
    let cleared = false;
    const delivered: string[] = [];
    let stuckAttempts = 0;
    const deliver: DeliverBatch = async (batch) =>
      batch.map((request): DeliveryOutcome => {
        if (uniqueIdOf(request) === stuck && !cleared) {
          stuckAttempts += 1;
          return failing(request);
        }
        delivered.push(uniqueIdOf(request));
        return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      });
    const { dispatcher, metrics } = start(topic, groupId, deliver);
    const started = Date.now();
    await dispatcher.start();

    // Profile p0 (u0, u30, u60, u90, u120): u0 delivered, u30 stuck, u60… wait behind it in the retry topic.
    const behind = ['u60', 'u90', 'u120'];
    await until(async () => (await committedTotal(kafka, groupId, topic)) === 150, 60_000, 'outbound committed to 150');
    const committedAfterMs = Date.now() - started;
    await until(() => delivered.length === 146, 30_000, 'every other request delivered');
    expect(delivered).not.toContain(stuck);
    for (const id of behind) expect(delivered).not.toContain(id);
    expect(stuckAttempts).toBeGreaterThanOrEqual(3);
    const unsettled = await metrics.unsettledRequests.get();
    expect(unsettled.values.find((entry) => entry.labels.topic === `${topic}.retry`)?.value).toBe(4);

    cleared = true;
    await until(() => delivered.length === 150, 30_000, 'the stuck request and its profile delivered');
    const p0 = delivered.filter((id) => ['u0', stuck, ...behind].includes(id));
    expect(p0).toEqual(['u0', stuck, ...behind]);
    expect(new Set(delivered).size).toBe(150);
    await until(async () => (await committedTotal(kafka, groupId, `${topic}.retry`)) === 4, 10_000, 'retry committed');
    expect(await deadLetters(topic, 0)).toEqual([]);
    console.log(`stuck head: outbound committed past it ${committedAfterMs} ms after start`);
  });

  it('reads a retry partition on past a request failing for ever: more than a fetch (1 MiB) behind it is delivered', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 1 });
    // The first request fails for ever; each of the 2,000 after it (other profiles, ~1 KiB each in the retry
    // topic) fails three times, so it is handed off behind the stuck one, then succeeds.
    const requests = [
      createEventRequest('stuck', 'never'),
      ...Array.from({ length: 2_000 }, (_, index) => ({
        ...createEventRequest(`r${index}`, `late${index}`),
        // Room in the body so 2,000 of them pass a fetch's 1 MiB.
        source: {
          eventType: 'OrderPlaced',
          eventId: `evt-late${index}-${'x'.repeat(400)}`,
          occurredAt: '2026-01-02T03:04:05.000Z',
        },
      })),
    ];
    for (let start = 0; start < requests.length; start += 250) {
      await publishRequests(kafka, topic, requests.slice(start, start + 250));
    }
    const failures = new Map<string, number>();
    const delivered = new Set<string>();
    const deliver: DeliverBatch = async (batch) =>
      batch.map((request): DeliveryOutcome => {
        const id = uniqueIdOf(request);
        const failed = failures.get(id) ?? 0;
        if (id === 'never' || failed < 3) {
          failures.set(id, failed + 1);
          return failing(request);
        }
        delivered.add(id);
        return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      });
    start(topic, groupId, deliver, { breakerThreshold: 1_000_000, handOff: { attempts: 3, afterMs: 60_000 } });
    await running[0]!.start();
    await until(() => delivered.size === 2_000, 120_000, 'all 2,000 behind the stuck request delivered');
    await until(async () => (await committedTotal(kafka, groupId, topic)) === 2_001, 10_000, 'outbound committed');
    expect(delivered.has('never')).toBe(false);
    // The retry partition's commit stays at the stuck request, with more than a fetch (≥ 1,100 records of
    // over 1 KiB) behind it, all of them delivered.
    const admin = kafka.admin();
    await admin.connect();
    const [end] = await admin.fetchTopicOffsets(`${topic}.retry`);
    await admin.disconnect();
    expect(Number(end!.high) - (await committedTotal(kafka, groupId, `${topic}.retry`))).toBeGreaterThanOrEqual(1_100);
  });

  it('dead-letters a request still failing after the maximum age as DELIVERY_EXPIRED, with its attempts', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 1 });
    await publishRequests(kafka, topic, [createEventRequest('a', 'doomed'), createEventRequest('b', 'fine')]);
    const delivered: string[] = [];
    const deliver: DeliverBatch = async (batch) =>
      batch.map((request): DeliveryOutcome => {
        if (uniqueIdOf(request) === 'doomed') return failing(request);
        delivered.push(uniqueIdOf(request));
        return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      });
    start(topic, groupId, deliver, { retryMaxAgeMs: 3_000, handOff: { attempts: 2, afterMs: 1_000 } });
    await running[0]!.start();
    await until(async () => (await committedTotal(kafka, groupId, `${topic}.retry`)) === 1, 30_000, 'retry settled');
    const letters = await deadLetters(topic, 1);
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ stage: 'deliver', errorCode: 'DELIVERY_EXPIRED', originalTopic: topic });
    expect(letters[0]!.attempts).toBeGreaterThanOrEqual(2);
    expect(delivered).toEqual(['fine']);
  });

  it('a Klaviyo-wide outage trips the breaker: nothing handed off, one probe at a time, all delivered after', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 1 });
    await publishRequests(
      kafka,
      topic,
      Array.from({ length: 60 }, (_, index) => createEventRequest(`q${index % 20}`, `o${index}`)),
    );
    const outageEndsAt = Date.now() + 8_000;
    let calls = 0;
    const delivered: string[] = [];
    const deliver: DeliverBatch = async (batch) => {
      if (Date.now() < outageEndsAt) {
        calls += batch.length;
        return batch.map(failing);
      }
      return batch.map((request): DeliveryOutcome => {
        delivered.push(uniqueIdOf(request));
        return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      });
    };
    start(topic, groupId, deliver, { backoff: { baseMs: 500, capMs: 2_000 } });
    await running[0]!.start();
    await until(() => delivered.length === 60, 60_000, 'everything delivered after the outage');
    // The first wave fails whole (up to 20 profiles), then one probe per open interval (≥ 250 ms on average).
    expect(calls).toBeLessThan(20 + 8_000 / 100);
    expect(await committedTotal(kafka, groupId, `${topic}.retry`)).toBe(0);
    expect(await deadLetters(topic, 0)).toEqual([]);
  });
});
