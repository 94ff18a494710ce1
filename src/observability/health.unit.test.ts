import { describe, expect, it } from 'vitest';
import { recordReadiness } from './health.ts';
import { createRelayMetrics } from './metrics.ts';

describe('recordReadiness', () => {
  it('sets each check to 1 when it passes and 0 when it fails, and follows it when it changes', async () => {
    const metrics = createRelayMetrics();
    let registry: string | undefined = 'REGISTRY_UNAVAILABLE: connect ECONNREFUSED';
    const checks = [
      { name: 'projector.kafka', check: () => undefined },
      { name: 'projector.registry', check: () => registry },
    ];
    const values = async () =>
      Object.fromEntries(
        (await metrics.readinessCheck.get()).values.map((entry) => [String(entry.labels.check), entry.value]),
      );

    recordReadiness(metrics.readinessCheck, checks);
    expect(await values()).toEqual({ 'projector.kafka': 1, 'projector.registry': 0 });
    registry = undefined;
    recordReadiness(metrics.readinessCheck, checks);
    expect(await values()).toEqual({ 'projector.kafka': 1, 'projector.registry': 1 });
  });
});
