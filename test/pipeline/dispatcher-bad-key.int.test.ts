// The bad key at run time, through the real HTTP client: an API key with a trailing newline makes undici
// refuse the authorization header locally (UND_ERR_INVALID_ARG). Delivery halts as for a 401: readiness
// fails with the reason, relay_halted is 1, one fatal log line carries the code, nothing reaches Klaviyo,
// nothing is committed or dead-lettered. (Config refusing such a key up front is the API-key shape rule.)
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createKlaviyoClient } from '../../src/klaviyo/client/client.ts';
import { createDeliverer } from '../../src/klaviyo/deliver/deliverer.ts';
import { createRateLimiter } from '../../src/klaviyo/rate-limit/limiter.ts';
import { evaluateReadiness } from '../../src/observability/health.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createRelayMetrics } from '../../src/observability/metrics.ts';
import { createDispatcher } from '../../src/pipeline/dispatcher/dispatcher.ts';
import { createEngineDeliverer } from '../../src/pipeline/dispatcher/engine-deliverer.ts';
import type { RoleHandle } from '../../src/pipeline/role.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { testKafka, uniqueName } from '../support/kafka-test-kit.ts';
import { until } from '../support/until.ts';
import { createEventRequest } from './fixtures.ts';
import { committedTotal, publishRequests } from './support.ts';
import { createTopicsFor } from './topics-helper.ts';

const kafka = testKafka('dispatcher-bad-key-int');
const KEY = 'pk_badkeytest0secret0key0a1b2c3d4e5f6';
let dispatcher: RoleHandle | undefined;
let sandbox: Sandbox | undefined;

afterEach(async () => {
  await dispatcher?.stop();
  await sandbox?.close();
});

describe('a key the HTTP client refuses', () => {
  it('halts delivery loudly, with the reason in readiness, and sends nothing', async () => {
    sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: [KEY] });
    const topic = uniqueName('test.requests');
    const groupId = uniqueName('test-dispatcher');
    await createTopicsFor(kafka, { sourceTopics: [], outboundTopic: topic, partitions: 2 });
    await publishRequests(
      kafka,
      topic,
      Array.from({ length: 8 }, (_, index) => createEventRequest(`k${index}`, `key${index}`)),
    );
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      secrets: [KEY],
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
          done();
        },
      }),
    });
    const client = createKlaviyoClient({
      baseUrl: sandbox.url,
      apiKey: `${KEY}\n`,
      revision: '2026-07-15',
      timeoutMs: 5_000,
      maxConnections: 4,
    });
    const deliver = createEngineDeliverer(
      createDeliverer({
        client,
        limiter: createRateLimiter({ limits: sandbox.admin.windows.limits() }),
        backoff: { baseMs: 20, capMs: 200, random: Math.random },
      }),
      { backlog: 1_000_000, ageMs: 86_400_000 },
    );
    const metrics = createRelayMetrics();
    dispatcher = createDispatcher({
      kafka,
      groupId,
      topic,
      deliver,
      metrics,
      logger,
      serviceVersion: 'test',
      secrets: [KEY],
    });
    await dispatcher.start();

    await until(async () => (await metrics.halted.get()).values[0]?.value === 1, 30_000, 'relay_halted set');
    const problems = evaluateReadiness(dispatcher.readiness).problems;
    expect(problems).toEqual([
      expect.objectContaining({
        name: 'dispatcher.halted',
        reason: expect.stringMatching(/HTTP_CLIENT_REFUSED.*invalid authorization header.*KLAVIYO_API_KEY/s),
      }),
    ]);
    const fatal = lines.filter((line) => line['level'] === 'fatal');
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code: 'HTTP_CLIENT_REFUSED', detail: { transportCode: 'UND_ERR_INVALID_ARG' } });
    // Never retried as a network error, never sent, never committed, never dead-lettered.
    expect(lines.some((line) => line['code'] === 'NETWORK_ERROR')).toBe(false);
    expect(sandbox.admin.counters().requests).toBe(0);
    expect(await committedTotal(kafka, groupId, topic)).toBe(0);
    expect((await metrics.deadLetters.get()).values).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain(KEY);
    await client.close();
  });
});
