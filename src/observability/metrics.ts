/**
 * The relay's Prometheus metrics, on a registry of its own (not prom-client's global one), so two relays in
 * one process (tests, the demo) never share counters. Adapters receive this object and record; nothing
 * here reads Kafka or Klaviyo. Label values are bounded sets (topics, event types, metrics, codes).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface RelayMetrics {
  readonly registry: Registry;
  readonly recordsConsumed: Counter<'topic' | 'type'>;
  readonly requestsProjected: Counter<'metric'>;
  readonly klaviyoRequests: Counter<'endpoint' | 'status'>;
  readonly deliveryDuration: Histogram<'endpoint'>;
  readonly endToEndLatency: Histogram<'metric'>;
  readonly deadLetters: Counter<'topic' | 'stage' | 'code'>;
  /** Cumulative, read from the limiter's own stats (it counts every wait, including the engine's retries). */
  readonly rateLimiterWait: Gauge<'family'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly halted: Gauge;
  readonly transactions: Counter<'outcome'>;
  readonly retries: Counter<'role' | 'code'>;
  /** Dispatcher: age of the oldest request not yet settled (delivered, dead-lettered or handed to retry). */
  readonly oldestUnsettledAge: Gauge<'topic' | 'partition'>;
  /** Dispatcher: requests fetched but not yet settled. */
  readonly unsettledRequests: Gauge<'topic' | 'partition'>;
  /** Each readiness check: 1 passing, 0 failing (the reason is in /readyz). */
  readonly readinessCheck: Gauge<'check'>;
  /** Requests waiting for delivery, per urgency class. */
  readonly classBacklog: Gauge<'class'>;
  /** Age of the oldest request waiting, per urgency class. */
  readonly classOldestAge: Gauge<'class'>;
  /** Requests Klaviyo accepted, per urgency class. */
  readonly classDelivered: Counter<'class'>;
  /** Events sent to Klaviyo per lane (create, bulk, profile); a bulk job counts its events. */
  readonly laneEvents: Counter<'lane'>;
  /** The rate the limiter currently allows per lane, in events per second. */
  readonly laneAllowedRate: Gauge<'lane'>;
  /** Klaviyo's RateLimit-Remaining for the steady window, per rate family, as last answered. */
  readonly budgetRemaining: Gauge<'family'>;
  /** Klaviyo's RateLimit-Limit for the steady window, per rate family, as last answered. */
  readonly budgetLimit: Gauge<'family'>;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag); off in tests that create many registries. */
  readonly collectDefaults?: boolean;
}

const DEFAULT_GAUGES_NAMED_TOTAL = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

export function createRelayMetrics(options: MetricsOptions = {}): RelayMetrics {
  const registry = new Registry();
  if (options.collectDefaults === true) {
    collectDefaultMetrics({ register: registry });
    // Gauges named like counters (`promtool check metrics` refuses them); each is the sum over the `type`
    // label of its namesake without `_total`, which stays: sum(nodejs_active_handles) gives the same.
    for (const name of DEFAULT_GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  }
  const registers = [registry];
  return {
    registry,
    recordsConsumed: new Counter({
      name: 'relay_records_consumed_total',
      help: 'Domain records consumed by the projector, by topic and event type (undecodable when unknown)',
      labelNames: ['topic', 'type'],
      registers,
    }),
    requestsProjected: new Counter({
      name: 'relay_requests_projected_total',
      help: 'Klaviyo requests written to the outbound topic, by metric (Update Profile for profile updates)',
      labelNames: ['metric'],
      registers,
    }),
    klaviyoRequests: new Counter({
      name: 'relay_klaviyo_requests_total',
      help: 'Klaviyo requests settled by the dispatcher, by endpoint and HTTP status (or error class)',
      labelNames: ['endpoint', 'status'],
      registers,
    }),
    deliveryDuration: new Histogram({
      name: 'relay_delivery_duration_seconds',
      help: 'Time to deliver one request to Klaviyo, from dispatch to settled outcome',
      labelNames: ['endpoint'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    endToEndLatency: new Histogram({
      name: 'relay_end_to_end_latency_seconds',
      help: "From the domain event's occurredAt to Klaviyo's 202 Accepted",
      labelNames: ['metric'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    deadLetters: new Counter({
      name: 'relay_dead_letters_total',
      help: 'Records written to a dead-letter topic, by dead-letter topic, stage and error code',
      labelNames: ['topic', 'stage', 'code'],
      registers,
    }),
    rateLimiterWait: new Gauge({
      name: 'relay_rate_limiter_waited_seconds',
      help: 'Cumulative time requests waited for the Klaviyo rate limiter, by rate family',
      labelNames: ['family'],
      registers,
    }),
    consumerLag: new Gauge({
      name: 'relay_consumer_lag',
      help: 'Records between the last fetched offset and the partition high watermark',
      labelNames: ['group', 'topic', 'partition'],
      registers,
    }),
    halted: new Gauge({
      name: 'relay_halted',
      help: '1 while delivery is halted because Klaviyo refused our credentials (401/403)',
      registers,
    }),
    transactions: new Counter({
      name: 'relay_projector_transactions_total',
      help: 'Projector Kafka transactions, by outcome (committed, aborted, failed)',
      labelNames: ['outcome'],
      registers,
    }),
    retries: new Counter({
      name: 'relay_retries_total',
      help: 'Retries after a transient failure, by role and error code',
      labelNames: ['role', 'code'],
      registers,
    }),
    oldestUnsettledAge: new Gauge({
      name: 'relay_dispatcher_oldest_unsettled_age_seconds',
      help: 'Age of the oldest outbound request the dispatcher has not settled, per partition (0 when none)',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    unsettledRequests: new Gauge({
      name: 'relay_dispatcher_unsettled_requests',
      help: 'Outbound requests fetched but not settled (delivered, dead-lettered or handed to the retry topic)',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    readinessCheck: new Gauge({
      name: 'relay_readiness_check',
      help: 'Each readiness check of /readyz: 1 passing, 0 failing',
      labelNames: ['check'],
      registers,
    }),
    classBacklog: new Gauge({
      name: 'relay_class_backlog_requests',
      help: 'Requests waiting for delivery, per urgency class',
      labelNames: ['class'],
      registers,
    }),
    classOldestAge: new Gauge({
      name: 'relay_class_oldest_age_seconds',
      help: 'Age of the oldest request waiting for delivery, per urgency class',
      labelNames: ['class'],
      registers,
    }),
    classDelivered: new Counter({
      name: 'relay_class_delivered_total',
      help: 'Requests Klaviyo accepted, per urgency class',
      labelNames: ['class'],
      registers,
    }),
    laneEvents: new Counter({
      name: 'relay_lane_events_total',
      help: 'Events sent to Klaviyo per lane (create, bulk, profile); a bulk job counts each of its events',
      labelNames: ['lane'],
      registers,
    }),
    laneAllowedRate: new Gauge({
      name: 'relay_lane_allowed_rate_per_second',
      help: 'The rate the limiter currently allows per lane, in events per second',
      labelNames: ['lane'],
      registers,
    }),
    budgetRemaining: new Gauge({
      name: 'relay_klaviyo_budget_remaining',
      help: "Klaviyo's RateLimit-Remaining for the steady window, per rate family, as last answered",
      labelNames: ['family'],
      registers,
    }),
    budgetLimit: new Gauge({
      name: 'relay_klaviyo_budget_limit',
      help: "Klaviyo's RateLimit-Limit for the steady window, per rate family, as last answered",
      labelNames: ['family'],
      registers,
    }),
  };
}
