/**
 * Delivery against the real sandbox on loopback (sockets, so an integration test; no Kafka needed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createKlaviyoClient, type KlaviyoClient } from '../../src/klaviyo/client/client.ts';
import { createDeliverer } from '../../src/klaviyo/deliver/deliverer.ts';
import { createRateLimiter, type RateLimiterOptions } from '../../src/klaviyo/rate-limit/limiter.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.ts';
import { createEventRequest, updateProfileRequest } from './fixtures.ts';

const opened: { sandbox: Sandbox; clients: KlaviyoClient[] }[] = [];
afterEach(async () => {
  for (const { sandbox, clients } of opened.splice(0)) {
    await Promise.all(clients.map((client) => client.close()));
    await sandbox.close();
  }
});

async function setup(sandboxOptions: SandboxOptions, limiterOptions: Partial<RateLimiterOptions> = {}, instances = 1) {
  const sandbox = await createSandbox(sandboxOptions);
  const limits = sandbox.admin.windows.limits();
  const clients: KlaviyoClient[] = [];
  const deliverers = Array.from({ length: instances }, () => {
    const client = createKlaviyoClient({
      baseUrl: sandbox.url,
      apiKey: 'pk_test_sandbox',
      revision: '2026-07-15',
      timeoutMs: 5_000,
      maxConnections: 16,
    });
    clients.push(client);
    const limiter = createRateLimiter({ limits, share: 1 / instances, ...limiterOptions });
    return createDeliverer({
      client,
      limiter,
      backoff: { baseMs: 20, capMs: 200, random: Math.random },
      maxInFlight: 16,
    });
  });
  opened.push({ sandbox, clients });
  return { sandbox, deliverers, clients };
}

async function post(url: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json().catch(() => undefined)) as unknown };
}

const DELETE = Symbol('delete');

/** Sets (or deletes) the value at a path of a JSON document, for building malformed bodies. */
function setAt(document: unknown, path: readonly string[], value: unknown): void {
  let node = document as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path.at(-1)!;
  if (value === DELETE) Reflect.deleteProperty(node, last);
  else node[last] = value;
}

const HEADERS = {
  authorization: 'Klaviyo-API-Key pk_test_sandbox',
  revision: '2026-07-15',
  'content-type': 'application/vnd.api+json',
};

describe('sandbox rejects what the spec rejects, naming the field', () => {
  it.each([
    ['missing metric', ['data', 'attributes', 'metric'], DELETE, { pointer: '/data/attributes/metric' }],
    [
      'profile without identifier',
      ['data', 'attributes', 'profile', 'data', 'attributes'],
      { first_name: 'Ann' },
      { pointer: '/data/attributes/profile/data/attributes' },
    ],
    ['wrong type', ['data', 'type'], 'metric', { pointer: '/data/type' }],
  ] as [string, string[], unknown, object][])('%s → 400', async (_name, path, value, source) => {
    const { sandbox } = await setup({});
    const body = structuredClone(createEventRequest(1).body);
    setAt(body, path, value);
    const answer = await post(`${sandbox.url}/api/events`, body, HEADERS);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ status: 400, code: 'invalid', source })]),
    });
  });

  it('bad revision header → 400 naming revision; no key → 401', async () => {
    const { sandbox } = await setup({});
    const body = createEventRequest(1).body;
    const badRevision = await post(`${sandbox.url}/api/events`, body, { ...HEADERS, revision: 'latest' });
    expect(badRevision.status).toBe(400);
    expect(badRevision.body).toMatchObject({ errors: [{ source: { parameter: 'revision' } }] });
    const { authorization: _omit, ...noKey } = HEADERS;
    expect((await post(`${sandbox.url}/api/events`, body, noKey)).status).toBe(401);
    expect(sandbox.admin.store.events).toHaveLength(0);
  });
});

describe('delivery engine against the sandbox', () => {
  it('delivers events, dedups per (profile, metric, unique_id), resolves and patches profiles, 409 is permanent', async () => {
    const { sandbox, deliverers } = await setup({});
    const [deliverer] = deliverers;
    const first = await deliverer!.deliver([
      createEventRequest(1, { profile: 'ann', realtime: true }),
      createEventRequest(2, { profile: 'bob' }),
      createEventRequest(1, { profile: 'ann' }),
    ]);
    expect(first.map((outcome) => outcome.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(first.map((outcome) => outcome.httpStatus)).toEqual([202, 202, 202]);
    expect(sandbox.admin.store.events).toHaveLength(2);
    expect(sandbox.admin.counters().duplicatesRejected).toBe(1);
    // The raw ledger sees the redelivery the dedup absorbed.
    expect(sandbox.admin.store.requests.map((request) => request.kind)).toEqual(['event', 'event', 'event']);
    expect(new Set(sandbox.admin.store.requests.map((request) => request.identity)).size).toBe(2);
    const second = await deliverer!.deliver([
      updateProfileRequest(3, { external_id: 'ann' }, 'ann.new@example.com'),
      updateProfileRequest(4, { external_id: 'ann' }, 'bob@example.com'),
    ]);
    expect(second[0]!.status).toBe('delivered');
    expect(sandbox.admin.store.findBy('email', 'ann.new@example.com')?.external_id).toBe('ann');
    expect(second[0]!.httpStatus).toBe(200);
    expect(sandbox.admin.store.requests.filter((request) => request.kind === 'profile-update')).toHaveLength(1);
    expect(second[1]).toMatchObject({
      status: 'failed-permanently',
      error: { code: 'KLAVIYO_CONFLICT' },
      httpStatus: 409,
    });
  });

  it('forgets a cached profile lookup once an update moved the identifier away: the next owner is patched', async () => {
    const { sandbox, deliverers } = await setup({});
    const [deliverer] = deliverers;
    await deliverer!.deliver([createEventRequest(20, { profile: 'ann' })]);
    const [moved] = await deliverer!.deliver([
      updateProfileRequest(21, { email: 'ann@example.com' }, 'ann.new@example.com'),
    ]);
    expect(moved!.status).toBe('delivered');
    // The address is free again and another person signs up with it.
    const dan = createEventRequest(22, { profile: 'dan' });
    const danProfile = dan.body.data.attributes.profile.data;
    const signUp = {
      ...dan,
      body: {
        data: {
          ...dan.body.data,
          attributes: {
            ...dan.body.data.attributes,
            profile: { data: { ...danProfile, attributes: { ...danProfile.attributes, email: 'ann@example.com' } } },
          },
        },
      },
    };
    await deliverer!.deliver([signUp]);
    const [patched] = await deliverer!.deliver([
      updateProfileRequest(23, { email: 'ann@example.com' }, 'dan.new@example.com'),
    ]);
    expect(patched!.status).toBe('delivered');
    expect(sandbox.admin.store.findBy('email', 'dan.new@example.com')?.external_id).toBe('dan');
    expect(sandbox.admin.store.findBy('email', 'ann.new@example.com')?.external_id).toBe('ann');
  });

  it('503s are retried; 401 halts', async () => {
    const { sandbox, deliverers } = await setup({});
    sandbox.admin.faults.add({ effect: { kind: 'status', status: 503 }, count: 1 }, Date.now());
    const [retried] = await deliverers[0]!.deliver([createEventRequest(5)]);
    expect(retried!.status).toBe('delivered');
    const strict = await setup({ apiKeys: ['pk_other'] });
    const outcomes = await strict.deliverers[0]!.deliver([createEventRequest(6), createEventRequest(7)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['halted', 'halted']);
    expect(outcomes[0]!.httpStatus).toBe(401);
  });

  it('a backlog drains with zero 429s at ≥ 96 % of the steady limit, 1 % kept for urgent requests (scaled windows: 100/250 ms, 1,000/5 s)', async () => {
    const windows = { burstMs: 250, steadyMs: 5_000 };
    const { sandbox, deliverers } = await setup(
      { windows, limits: { events: { perSecond: 100, perMinute: 1_000 } } },
      { windowMs: { burst: 250, steady: 5_000 } },
    );
    const backlog = Array.from({ length: 3_000 }, (_, index) => createEventRequest(index, { profile: `p${index}` }));
    const started = Date.now();
    const outcomes = await deliverers[0]!.deliver(backlog);
    const seconds = (Date.now() - started) / 1000;
    expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
    expect(sandbox.admin.counters().rateLimited).toBe(0);
    // 3,000 = three steady windows' worth: the third window opens after two full windows (10 s).
    const steadyRate = 1_000 / 5;
    const achieved =
      (2_000 / (sandbox.admin.store.events[2_000]!.acceptedAt - sandbox.admin.store.events[0]!.acceptedAt)) * 1000;
    console.log(
      `drain: allowed steady ${steadyRate}/s, achieved ${achieved.toFixed(1)}/s over two windows, total ${seconds.toFixed(1)} s`,
    );
    // Paced at 99 % of the steady window (the rest is the urgent headroom), less the window's 0.7 % guard.
    expect(achieved).toBeGreaterThanOrEqual(0.96 * steadyRate);
  });

  it('two deliverers with share 0.5 stay inside one limit together', async () => {
    const windows = { burstMs: 250, steadyMs: 5_000 };
    const { sandbox, deliverers } = await setup(
      { windows, limits: { events: { perSecond: 100, perMinute: 1_000 } } },
      { windowMs: { burst: 250, steady: 5_000 } },
      2,
    );
    const batch = (offset: number) =>
      Array.from({ length: 700 }, (_, i) => createEventRequest(offset + i, { profile: `q${offset + i}` }));
    const results = await Promise.all([deliverers[0]!.deliver(batch(0)), deliverers[1]!.deliver(batch(10_000))]);
    expect(results.flat().every((outcome) => outcome.status === 'delivered')).toBe(true);
    expect(sandbox.admin.counters().rateLimited).toBe(0);
  });

  it('bulk lane: ≥ 2,000 events/s at Klaviyo bulk limits, zero 429s', async () => {
    const { sandbox, deliverers } = await setup({});
    const requests = Array.from({ length: 20_000 }, (_, index) => createEventRequest(index));
    const started = Date.now();
    const outcomes = await deliverers[0]!.deliverBulk(requests);
    const rate = requests.length / ((Date.now() - started) / 1000);
    console.log(`bulk lane: ${rate.toFixed(0)} events/s`);
    expect(outcomes.every((outcome) => outcome.status === 'delivered')).toBe(true);
    expect(sandbox.admin.store.events).toHaveLength(20_000);
    expect(sandbox.admin.counters().rateLimited).toBe(0);
    expect(rate).toBeGreaterThanOrEqual(2_000);
  });

  it('a job with one invalid event delivers the other 999 and fails the one with Klaviyo’s pointer', async () => {
    const { sandbox, deliverers } = await setup({});
    const requests = Array.from({ length: 1_000 }, (_, index) => createEventRequest(index));
    const broken = structuredClone(requests[437]!);
    setAt(broken.body, ['data', 'attributes', 'time'], 'not a time');
    requests[437] = broken;
    const outcomes = await deliverers[0]!.deliverBulk(requests);
    expect(outcomes.filter((outcome) => outcome.status === 'delivered')).toHaveLength(999);
    expect(outcomes[437]).toMatchObject({
      status: 'failed-permanently',
      error: {
        code: 'KLAVIYO_REJECTED',
        detail: { errors: [{ source: { pointer: expect.stringMatching(/\/time$/) } }] },
      },
    });
    expect(sandbox.admin.store.events).toHaveLength(999);
  });
});
