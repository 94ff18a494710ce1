// A backlog far above Klaviyo's limit must drain at the full steady rate, without a 429, and without the
// dispatcher losing its group membership while it waits for the steady window. The whole relay (projector
// and dispatcher) against the sandbox, with both sides' windows shrunk (1 s burst, 10 s steady) so several
// steady windows pass in half a minute. The steady window is longer than the consumer's session timeout,
// as Klaviyo's minute is longer than the default 30 s: the dispatcher waits on the limiter longer than the
// group lets a silent member live, exactly as in production. kafkajs heartbeats only when asked, so before
// the fix the member was evicted in every steady window and the group rebalanced each time; on a busy
// machine those rebalances cascaded (batches of the old generation failing their commits and forcing yet
// another rejoin) until the relay delivered a few hundred requests in two minutes.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEventOf } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { startRelay } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { publish, relayConfig, relayEnv, scaledSandbox, uniqueLayout, until } from './relay-harness.ts';

const WINDOWS = { burstMs: 1_000, steadyMs: 10_000 };
const LIMITS = { perSecond: 60, perMinute: 150 };
/** Steady windows measured after the first one (whose burst the limiter lets through at once). */
const MEASURED_WINDOWS = 3;
/** Far more than the run can deliver: (1 + 3) windows × 150, with room to spare. */
const BACKLOG = 1_500;

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await scaledSandbox(WINDOWS, LIMITS);
});
afterAll(async () => {
  await sandbox.close();
});

/** `count` distinct customers' AccountCreated: one Created Account each, every one a different profile. */
function accountsCreated(count: number): DomainEventOf<'AccountCreated'>[] {
  const example = loadExample('AccountCreated');
  return Array.from({ length: count }, (_, index) => {
    const id = String(100_000 + index);
    return {
      ...example,
      data: {
        ...example.data,
        eventId: `7f3c2a10-5b6d-4e8f-9a1b-${id.padStart(12, '0')}`,
        customer: { ...example.data.customer, customerId: id, email: `backlog.${id}@example.com`, phone: null },
      },
    };
  });
}

/** The relay's log records, parsed (info and above). */
function capturingLogger() {
  const records: { role?: string; msg?: string }[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') records.push(JSON.parse(line));
      callback();
    },
  });
  return { records, logger: createLogger({ level: 'info', destination }) };
}

describe('a backlog above Klaviyo’s limit', () => {
  it('drains at ≥ 90% of the steady limit over several steady windows, with no 429 and no rebalance', async () => {
    sandbox.admin.reset();
    const layout = uniqueLayout('backlog');
    const env = {
      ...relayEnv(layout, sandbox.url),
      KLAVIYO_RATE_EVENTS_BURST: String(LIMITS.perSecond),
      KLAVIYO_RATE_EVENTS_STEADY: String(LIMITS.perMinute),
      // The broker's minimum: shorter than a limiter wait for the steady window (up to 10 s here).
      KAFKA_SESSION_TIMEOUT_MS: '6000',
    };
    const { records, logger } = capturingLogger();
    const relay = await startRelay(relayConfig(env), {
      logger,
      rateLimitWindowsMs: { burst: WINDOWS.burstMs, steady: WINDOWS.steadyMs },
    });
    try {
      const backlog = accountsCreated(BACKLOG);
      // In slices: one send of the whole backlog would exceed the broker's largest message.
      for (let start = 0; start < backlog.length; start += 500) {
        await publish(layout.sourceTopic, backlog.slice(start, start + 500));
      }
      const delivered = () => sandbox.admin.store.events.length;
      await until(() => delivered() > 0, 60_000, 'the first delivery');
      // The first steady window holds the initial burst; measure the ones after it.
      await new Promise((resolve) => setTimeout(resolve, WINDOWS.steadyMs));
      const before = delivered();
      await new Promise((resolve) => setTimeout(resolve, MEASURED_WINDOWS * WINDOWS.steadyMs));
      const inMeasuredWindows = delivered() - before;

      expect(sandbox.admin.counters().rateLimited).toBe(0);
      expect(sandbox.admin.store.duplicates).toEqual([]);
      expect(inMeasuredWindows).toBeGreaterThanOrEqual(Math.floor(0.9 * MEASURED_WINDOWS * LIMITS.perMinute));
      // Never more than the limit allows (one window's slack for where the measurement cuts the windows).
      expect(inMeasuredWindows).toBeLessThanOrEqual((MEASURED_WINDOWS + 1) * LIMITS.perMinute);
      // The dispatcher joined its group once: waiting for the steady window never cost it its membership.
      const dispatcherJoins = records.filter(
        (record) => record.role === 'dispatcher' && record.msg === 'partitions assigned',
      );
      expect(dispatcherJoins).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });
});
