/**
 * A budget shared with another integration, over real sockets: the delivery engine against the sandbox while
 * the sandbox's competing integration spends half of every steady window (scaled windows: 100 per 250 ms
 * burst, 1,000 per 5 s steady).
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

describe('delivery with a competing integration on the account', () => {
  it('≤ 1 % 429s and ≥ 95 % of the half the other integration leaves, in every window after the first', async () => {
    const windows = { burstMs: 250, steadyMs: 5_000 };
    sandbox = await createSandbox({
      windows,
      limits: { events: { perSecond: 100, perMinute: 1_000 } },
      competitor: { events: 0.5 },
    });
    client = createKlaviyoClient({
      baseUrl: sandbox.url,
      apiKey: 'pk_test_sandbox',
      revision: '2026-07-15',
      timeoutMs: 5_000,
      maxConnections: 16,
    });
    const limiter = createRateLimiter({
      limits: sandbox.admin.windows.limits(),
      windowMs: { burst: windows.burstMs, steady: windows.steadyMs },
    });
    const deliverer = createDeliverer({
      client,
      limiter,
      backoff: { baseMs: 20, capMs: 200, random: Math.random },
      maxInFlight: 16,
    });
    // Start on a window boundary; four windows; the first is not counted (nothing measured of the other yet).
    const start = (Math.floor(Date.now() / windows.steadyMs) + 1) * windows.steadyMs;
    await new Promise((resolve) => setTimeout(resolve, start - Date.now()));
    const end = start + 4 * windows.steadyMs;
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), end - Date.now());
    let next = 0;
    while (!stop.signal.aborted) {
      const batch = Array.from({ length: 200 }, () => {
        next += 1;
        return createEventRequest(next, { profile: `shared-${next}` });
      });
      await deliverer.deliver(batch, { signal: stop.signal });
    }
    clearTimeout(timer);
    const counters = sandbox.admin.counters();
    expect(counters.rateLimited / counters.requests).toBeLessThanOrEqual(0.01);
    const accepted = sandbox.admin.store.events.map((event) => event.acceptedAt);
    for (let window = 1; window < 4; window += 1) {
      const from = start + window * windows.steadyMs;
      const used = accepted.filter((time) => time >= from && time < from + windows.steadyMs).length;
      expect(used, `window ${window + 1}`).toBeGreaterThanOrEqual(0.95 * 500);
      expect(used, `window ${window + 1}`).toBeLessThanOrEqual(500);
    }
  });
});
