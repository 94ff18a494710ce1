/**
 * Publishes what the rate limiter knows (polled: the limiter itself records nothing): time waited, the rate
 * each lane is allowed now, and the account's steady-window budget as Klaviyo last reported it.
 */
import type { RateFamily } from '../klaviyo/contract/operations.ts';
import type { RateLimiter } from '../klaviyo/rate-limit/limiter.ts';
import type { RelayMetrics } from './metrics.ts';

const LANES: readonly { readonly lane: string; readonly family: RateFamily; readonly eventsPerRequest: number }[] = [
  { lane: 'create', family: 'events', eventsPerRequest: 1 },
  // A bulk job carries up to 1,000 events: the lane's ceiling in events per second.
  { lane: 'bulk', family: 'bulk', eventsPerRequest: 1_000 },
  { lane: 'profile', family: 'profiles', eventsPerRequest: 1 },
];

export function publishLimiterMetrics(limiter: RateLimiter, metrics: RelayMetrics): void {
  for (const { lane, family, eventsPerRequest } of LANES) {
    const stats = limiter.stats(family);
    metrics.rateLimiterWait.set({ family }, stats.waitedMs / 1000);
    metrics.laneAllowedRate.set({ lane }, stats.allowedPerSecond * eventsPerRequest);
    if (stats.account) {
      metrics.budgetRemaining.set({ family }, stats.account.remaining);
      metrics.budgetLimit.set({ family }, stats.account.limit);
    }
  }
}
