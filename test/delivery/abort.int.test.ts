/**
 * Abandoning a delivery (a stop, a lost partition) against the real sandbox on loopback: what went on the
 * wire is delivered, what waited for a rate-limit slot comes back at once as a DELIVERY_ABORTED retry,
 * and the limiter gave no slot to anything that was not sent.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKlaviyoClient, type KlaviyoClient } from '../../src/klaviyo/client/client.ts';
import { createDeliverer } from '../../src/klaviyo/deliver/deliverer.ts';
import { createRateLimiter } from '../../src/klaviyo/rate-limit/limiter.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { createEventRequest } from './fixtures.ts';

let sandbox: Sandbox | undefined;
let client: KlaviyoClient | undefined;
afterEach(async () => {
  await client?.close();
  await sandbox?.close();
});

describe('delivery abandoned during a rate-limiter wait', () => {
  it('delivers what was sent and returns the waiting requests as DELIVERY_ABORTED retries, at once', async () => {
    sandbox = await createSandbox({ port: 0, host: '127.0.0.1' });
    client = createKlaviyoClient({
      baseUrl: sandbox.url,
      apiKey: 'pk_test_sandbox',
      revision: '2026-07-15',
      timeoutMs: 5_000,
      maxConnections: 4,
    });
    // Two requests a minute, both at once (no pacing over the minute): the third waits about a minute.
    const limiter = createRateLimiter({
      paceBurstMs: 60_000,
      limits: {
        events: { perSecond: 2, perMinute: 2 },
        bulk: { perSecond: 1, perMinute: 1 },
        profiles: { perSecond: 1, perMinute: 1 },
      },
    });
    const deliverer = createDeliverer({
      client,
      limiter,
      backoff: { baseMs: 20, capMs: 200, random: Math.random },
      maxInFlight: 4,
    });
    const requests = [0, 1, 2, 3].map((index) => createEventRequest(index, { profile: `abort-${index}` }));
    const controller = new AbortController();
    const delivering = deliverer.deliver(requests, { signal: controller.signal });
    const waitUntil = Date.now() + 10_000;
    while (sandbox.admin.store.events.length < 2 && Date.now() < waitUntil) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    controller.abort();
    const outcomes = await delivering;

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([
      'delivered',
      'delivered',
      'retry-later',
      'retry-later',
    ]);
    for (const outcome of outcomes) {
      if (outcome.status === 'retry-later') expect(outcome.error.code).toBe('DELIVERY_ABORTED');
    }
    expect(sandbox.admin.store.events).toHaveLength(2);
    expect(limiter.stats('events').granted).toBe(2);
    // An aborted signal from the start sends nothing at all.
    const none = await deliverer.deliver([createEventRequest(9, { profile: 'abort-9' })], {
      signal: AbortSignal.abort(),
    });
    expect(none.map((outcome) => outcome.status)).toEqual(['retry-later']);
    expect(sandbox.admin.store.events).toHaveLength(2);
  });
});
