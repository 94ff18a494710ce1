// The dispatcher while its delivery engine waits (Klaviyo's steady window is full), against the real
// broker: a wave that waits longer than the group's session timeout keeps its membership (kafkajs only
// heartbeats when asked), and a stop during a rate-limiter wait returns at once, commits what Klaviyo
// accepted and leaves the unsent records uncommitted for the next owner.
import { afterEach, describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import { AcquireAbortedError, createRateLimiter } from '../../src/klaviyo/rate-limit/limiter.ts';
import { createRelayMetrics } from '../../src/observability/metrics.ts';
import { createDispatcher } from '../../src/pipeline/dispatcher/dispatcher.ts';
import type { DeliverBatch, DeliveryOutcome } from '../../src/pipeline/dispatcher/ports.ts';
import type { RoleHandle } from '../../src/pipeline/role.ts';
import { testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { createEventRequest } from './fixtures.ts';
import { committedTotal, publishRequests, quietLogger } from './support.ts';
import { until } from '../support/until.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('dispatcher-waits-int');
const running: RoleHandle[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((role) => role.stop()));
});

/** The broker's minimum session timeout: the waits below are longer. */
const SESSION_TIMEOUT_MS = 6_000;

function start(topic: string, groupId: string, deliver: DeliverBatch, onShareChange?: (share: number) => void) {
  const dispatcher = createDispatcher({
    kafka,
    groupId,
    topic,
    deliver,
    metrics: createRelayMetrics(),
    logger: quietLogger,
    serviceVersion: 'test',
    secrets: [],
    sessionTimeoutMs: SESSION_TIMEOUT_MS,
    ...(onShareChange ? { onShareChange } : {}),
  });
  running.push(dispatcher);
  return dispatcher;
}

/** A delivery engine whose only limit is a real rate limiter: `perWindow` requests per `windowMs`. */
function limitedDeliver(perWindow: number, windowMs: number, delivered: string[]): DeliverBatch {
  const limiter = createRateLimiter({
    limits: {
      events: { perSecond: perWindow, perMinute: perWindow },
      bulk: { perSecond: 1, perMinute: 1 },
      profiles: { perSecond: 1, perMinute: 1 },
    },
    windowMs: { burst: windowMs, steady: windowMs },
    guardMs: { burst: 0, steady: 0 },
  });
  return async (batch, _backlog, signal) =>
    Promise.all(
      batch.map(async (request): Promise<DeliveryOutcome> => {
        try {
          const grant = await limiter.acquire('events', signal);
          grant.done();
        } catch (error) {
          if (!(error instanceof AcquireAbortedError)) throw error;
          return {
            status: 'retry-later',
            request,
            error: new RelayError('DELIVERY_ABORTED', error.message),
            retryAfterMs: 0,
            httpStatus: undefined,
          };
        }
        if (request.kind === 'create-event') delivered.push(request.uniqueId);
        return { status: 'delivered', request, lane: 'create', httpStatus: 202 };
      }),
    );
}

describe('dispatcher while the delivery engine waits', () => {
  it('keeps its group membership through a wave that waits longer than the session timeout', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 1 });
    // Two requests per 9 s window, one profile each: the second wave waits 9 s, past the 6 s session timeout.
    const requests = Array.from({ length: 4 }, (_, index) => createEventRequest(`p${index}`, `u${index}`));
    await publishRequests(kafka, topic, requests);
    const delivered: string[] = [];
    const assignments: number[] = [];
    const dispatcher = start(topic, groupId, limitedDeliver(2, 9_000, delivered), (share) => assignments.push(share));
    await dispatcher.start();

    await until(async () => (await committedTotal(kafka, groupId, topic)) === 4, 40_000, 'four offsets committed');
    expect([...delivered].sort()).toEqual(['u0', 'u1', 'u2', 'u3']);
    // One assignment: the member was never evicted and the group never rebalanced.
    expect(assignments).toEqual([1]);
  });

  it('a stop during a rate-limiter wait returns promptly and leaves the unsent records uncommitted', async () => {
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 1 });
    // One profile, so the requests go one wave at a time: the first is sent, the second waits a minute.
    const requests = Array.from({ length: 3 }, (_, index) => createEventRequest('p0', `u${index}`));
    await publishRequests(kafka, topic, requests);
    const delivered: string[] = [];
    const dispatcher = start(topic, groupId, limitedDeliver(1, 60_000, delivered));
    await dispatcher.start();
    await until(() => delivered.length === 1, 30_000, 'the first delivery');
    // Let the second wave reach the limiter's wait.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const stopStarted = Date.now();
    running.splice(running.indexOf(dispatcher), 1);
    await dispatcher.stop();
    // kafkajs's stop leaves the group and disconnects; waiting out the window would take 59 s more.
    expect(Date.now() - stopStarted).toBeLessThan(10_000);
    expect(delivered).toEqual(['u0']);
    expect(await committedTotal(kafka, groupId, topic)).toBe(1);
  });
});
