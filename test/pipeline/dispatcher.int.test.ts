// The dispatcher against the real broker, with a scripted delivery engine standing in for Klaviyo's
// answers (the e2e tests use the real client and the sandbox): a 503 burst delays but loses and
// dead-letters nothing and keeps each profile's order; a 422 is dead-lettered with Klaviyo's status and
// errors before its offset is committed; a 401 halts everything, fails readiness, dead-letters nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import { evaluateReadiness } from '../../src/observability/health.ts';
import { readDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import type { DeliverBatch, DeliveryOutcome } from '../../src/pipeline/dispatcher/ports.ts';
import type { RoleHandle } from '../../src/pipeline/role.ts';
import { consumeUntil, testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { createEventRequest } from './fixtures.ts';
import { committedTotal, publishRequests, startTestDispatcher } from './support.ts';
import { until } from '../support/until.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('dispatcher-int');
const running: RoleHandle[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((role) => role.stop()));
});

function start(topic: string, groupId: string, deliver: DeliverBatch) {
  return startTestDispatcher(kafka, running, { topic, groupId, deliver });
}

describe('dispatcher against the real broker', () => {
  it('rides out a 503 burst without losing, reordering or dead-lettering; dead-letters a 422 before committing', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 2 });
    const requests = Array.from({ length: 16 }, (_, index) =>
      createEventRequest(`p${index % 3}`, index === 7 ? 'reject-me' : `u${index}`),
    );
    await publishRequests(kafka, topic, requests);

    const burstEndsAt = Date.now() + 5_000;
    const delivered: string[] = [];
    let unavailable = 0;
    const deliver: DeliverBatch = async (batch) =>
      batch.map((request): DeliveryOutcome => {
        if (request.kind !== 'create-event') throw new Error('only events in this test');
        if (Date.now() < burstEndsAt) {
          unavailable += 1;
          return {
            status: 'retry-later',
            request,
            error: new RelayError('KLAVIYO_UNAVAILABLE', 'Klaviyo answered 503', { detail: { status: 503 } }),
            retryAfterMs: 0,
            httpStatus: 503,
          };
        }
        if (request.uniqueId === 'reject-me') {
          return {
            status: 'failed-permanently',
            request,
            error: new RelayError('KLAVIYO_REJECTED', 'Klaviyo answered 422', {
              detail: { status: 422, errors: [{ code: 'invalid', detail: 'bad property' }] },
            }),
            httpStatus: 422,
          };
        }
        delivered.push(`${request.profileKey}|${request.uniqueId}`);
        return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      });
    const { dispatcher, metrics } = start(topic, groupId, deliver);
    await dispatcher.start();

    await until(
      async () => (await committedTotal(kafka, groupId, topic)) === 16,
      60_000,
      'sixteen offsets committed',
    ).catch(async (error: unknown) => {
      // Say where it stood: a stall here must explain itself.
      const state = {
        committed: await committedTotal(kafka, groupId, topic),
        delivered: delivered.length,
        unavailable,
        readiness: evaluateReadiness(dispatcher.readiness).problems,
        retries: await metrics.retries.get(),
      };
      throw new Error(`${String(error)}; ${JSON.stringify(state)}`);
    });
    expect(unavailable).toBeGreaterThan(0);
    expect(delivered).toHaveLength(15);
    expect(new Set(delivered).size).toBe(15);
    for (const profile of ['p0', 'p1', 'p2']) {
      const order = delivered
        .filter((entry) => entry.startsWith(`external_id:${profile}|`))
        .map((entry) => Number(entry.split('|u')[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    const contexts: ReturnType<typeof readDeadLetterHeaders>[] = [];
    const letters = await consumeUntil(kafka.consumer({ groupId: uniqueName('dlq-reader') }), {
      topics: [`${topic}.dlq`],
      count: 1,
      settleMs: 1_000,
      onMessage: async ({ message }) => {
        contexts.push(readDeadLetterHeaders(message.headers));
      },
    });
    expect(contexts[0]).toMatchObject({
      stage: 'deliver',
      errorCode: 'KLAVIYO_REJECTED',
      originalTopic: topic,
      consumerGroup: groupId,
      errorDetail: { status: 422, errors: [{ code: 'invalid', detail: 'bad property' }] },
    });
    expect(letters).toHaveLength(1);
    expect((JSON.parse(String(letters[0]!.value)) as { uniqueId: string }).uniqueId).toBe('reject-me');
    const dlqCount = (await metrics.deadLetters.get()).values.reduce((sum, entry) => sum + entry.value, 0);
    expect(dlqCount).toBe(1);
  });

  it('halts on 401: nothing committed, nothing dead-lettered, readiness fails', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 2 });
    await publishRequests(
      kafka,
      topic,
      Array.from({ length: 6 }, (_, index) => createEventRequest(`p${index}`, `h${index}`)),
    );
    let calls = 0;
    const deliver: DeliverBatch = async (batch) => {
      calls += 1;
      return batch.map((request) => ({
        status: 'halted' as const,
        request,
        error: new RelayError('KLAVIYO_UNAUTHORIZED', 'Klaviyo answered 401', { detail: { status: 401 } }),
        httpStatus: 401,
      }));
    };
    const { dispatcher, metrics } = start(topic, groupId, deliver);
    await dispatcher.start();
    await until(
      () => (metrics.halted.get() as Promise<{ values: { value: number }[] }>).then((m) => m.values[0]?.value === 1),
      30_000,
      'the halted gauge',
    );
    const report = evaluateReadiness(dispatcher.readiness);
    expect(report.ready).toBe(false);
    expect(report.problems.map((problem) => problem.name)).toContain('dispatcher.halted');
    const callsAtHalt = calls;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(calls).toBeLessThanOrEqual(callsAtHalt + 1);
    expect(await committedTotal(kafka, groupId, topic)).toBe(0);
    const admin = kafka.admin();
    await admin.connect();
    const dlqOffsets = await admin.fetchTopicOffsets(`${topic}.dlq`);
    await admin.disconnect();
    expect(dlqOffsets.reduce((sum, entry) => sum + Number(entry.high), 0)).toBe(0);
  });
});
