// The per-class metrics against the real broker: what the dispatcher holds unsettled is counted per urgency
// class (with the age of the oldest), and what Klaviyo accepted is counted per class once it is delivered.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliverBatch } from '../../src/pipeline/dispatcher/ports.ts';
import type { RoleHandle } from '../../src/pipeline/role.ts';
import type { RelayMetrics } from '../../src/observability/metrics.ts';
import { testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { until } from '../support/until.ts';
import { createEventRequest } from './fixtures.ts';
import { publishRequests, startTestDispatcher } from './support.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('dispatcher-class-metrics');
const running: RoleHandle[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((role) => role.stop()));
});

async function byClass(metric: RelayMetrics['classBacklog'] | RelayMetrics['classDelivered']) {
  const values = (await metric.get()).values;
  return Object.fromEntries(values.map((entry) => [String(entry.labels['class']), entry.value]));
}

describe('dispatcher: metrics per urgency class', () => {
  it('counts the unsettled backlog and its oldest age per class, and what was delivered per class', async () => {
    const topic = uniqueName('klaviyo.requests.classes');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 2 });
    let open = false;
    const deliver: DeliverBatch = async (batch) => {
      await until(() => open, 60_000, 'the gate', 50);
      return batch.map((request) => ({
        status: 'delivered' as const,
        request,
        lane: 'create' as const,
        httpStatus: 202,
      }));
    };
    const { dispatcher, metrics } = startTestDispatcher(kafka, running, {
      topic,
      groupId: uniqueName('classes'),
      deliver,
      classMetricsIntervalMs: 100,
    });
    await dispatcher.start();
    await publishRequests(kafka, topic, [
      createEventRequest('p1', 'u1', 'Shipping Update'),
      createEventRequest('p2', 'u2', 'Shipping Update'),
      createEventRequest('p3', 'u3', 'Shipping Update'),
      createEventRequest('p4', 'u4', 'Ordered Product'),
      createEventRequest('p5', 'u5', 'Ordered Product'),
      createEventRequest('p6', 'u6', 'Reset Password'),
    ]);
    await until(
      async () => {
        const backlog = await byClass(metrics.classBacklog);
        return backlog['normal'] === 3 && backlog['low'] === 2 && backlog['urgent'] === 1;
      },
      30_000,
      'the backlog per class',
    );
    expect((await byClass(metrics.classBacklog))['high']).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const ages = await byClass(metrics.classOldestAge);
    expect(ages['normal']).toBeGreaterThan(0.5);
    expect(ages['high']).toBe(0);

    open = true;
    await until(
      async () => {
        const delivered = await byClass(metrics.classDelivered);
        return delivered['normal'] === 3 && delivered['low'] === 2 && delivered['urgent'] === 1;
      },
      30_000,
      'the deliveries per class',
    );
    await until(
      async () => Object.values(await byClass(metrics.classBacklog)).every((value) => value === 0),
      10_000,
      'an empty backlog',
    );
    expect((await byClass(metrics.classOldestAge))['urgent']).toBe(0);
  });
});
