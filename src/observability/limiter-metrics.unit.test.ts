import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from '../klaviyo/rate-limit/headers.ts';
import { createRateLimiter } from '../klaviyo/rate-limit/limiter.ts';
import { createVirtualClock } from '../klaviyo/rate-limit/virtual-clock.ts';
import { publishLimiterMetrics } from './limiter-metrics.ts';
import { createRelayMetrics } from './metrics.ts';

describe('limiter metrics', () => {
  it("publishes the lanes' allowed rates and Klaviyo's budget headers per family", async () => {
    const limiter = createRateLimiter({
      limits: {
        events: { perSecond: 350, perMinute: 3_500 },
        bulk: { perSecond: 10, perMinute: 150 },
        profiles: { perSecond: 75, perMinute: 750 },
      },
      clock: createVirtualClock(),
    });
    limiter.observe(
      'events',
      readRateLimitHeaders({ 'ratelimit-limit': '3500', 'ratelimit-remaining': '1234', 'ratelimit-reset': '59' }),
    );
    const metrics = createRelayMetrics();
    publishLimiterMetrics(limiter, metrics);
    const text = await metrics.registry.metrics();
    expect(text).toContain('relay_klaviyo_budget_remaining{family="events"} 1234');
    expect(text).toContain('relay_klaviyo_budget_limit{family="events"} 3500');
    expect(text).not.toContain('relay_klaviyo_budget_remaining{family="bulk"}');
    // Create Event: what the account has left (1,234 less the 35 kept for urgent ones) over the 59 s to the
    // reset; bulk (no answer yet): its own 150 jobs of 1,000 events per guarded minute.
    const rate = (lane: string) =>
      Number(new RegExp(`relay_lane_allowed_rate_per_second\\{lane="${lane}"\\} ([\\d.]+)`).exec(text)?.[1]);
    expect(rate('create')).toBeCloseTo((1_234 - 35) / 59, 1);
    expect(rate('bulk')).toBeCloseTo(150_000 / 60.31, 0);
    expect(rate('profile')).toBeGreaterThan(0);
  });
});
