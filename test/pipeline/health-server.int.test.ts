// The operator's HTTP window on a real socket: /healthz is alive regardless of readiness, /readyz names
// every failing check with 503, /metrics serves the relay's own registry in Prometheus text format.
import { afterAll, describe, expect, it } from 'vitest';
import { startHealthServer, type HealthServer } from '../../src/observability/health.ts';
import { createRelayMetrics } from '../../src/observability/metrics.ts';

describe('health server', () => {
  const metrics = createRelayMetrics();
  let halted: string | undefined;
  let server: HealthServer;

  afterAll(async () => {
    await server.close();
  });

  it('answers /healthz, /readyz and /metrics', async () => {
    server = await startHealthServer({
      host: '127.0.0.1',
      port: 0,
      registry: metrics.registry,
      readinessGauge: metrics.readinessCheck,
      readiness: () => [
        { name: 'kafka', check: () => undefined },
        { name: 'dispatcher.halted', check: () => halted },
      ],
    });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    halted = 'halted: KLAVIYO_UNAUTHORIZED';
    metrics.halted.set(1);
    metrics.deadLetters.inc({ topic: 'identity.account.events.dlq', stage: 'decode', code: 'NOT_WIRE_FORMAT' });
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({
      ready: false,
      problems: [{ name: 'dispatcher.halted', reason: 'halted: KLAVIYO_UNAUTHORIZED' }],
    });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    const scrape = await fetch(`${server.url}/metrics`);
    expect(scrape.headers.get('content-type')).toContain('text/plain');
    const text = await scrape.text();
    expect(text).toContain('relay_halted 1');
    // Each check on every scrape, so an alert can name the failing one.
    expect(text).toContain('relay_readiness_check{check="kafka"} 1');
    expect(text).toContain('relay_readiness_check{check="dispatcher.halted"} 0');
    expect(text).toContain(
      'relay_dead_letters_total{topic="identity.account.events.dlq",stage="decode",code="NOT_WIRE_FORMAT"} 1',
    );
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
