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
  readonly deadLetters: Counter<'stage' | 'code'>;
  /** Cumulative, read from the limiter's own stats (it counts every wait, including the engine's retries). */
  readonly rateLimiterWait: Gauge<'family'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly halted: Gauge;
  readonly transactions: Counter<'outcome'>;
  readonly retries: Counter<'role' | 'code'>;
}

export interface MetricsOptions {
  /** Process metrics (CPU, memory, event-loop lag); off in tests that create many registries. */
  readonly collectDefaults?: boolean;
}

export function createRelayMetrics(options: MetricsOptions = {}): RelayMetrics {
  const registry = new Registry();
  if (options.collectDefaults === true) collectDefaultMetrics({ register: registry });
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
      help: 'Records written to a dead-letter topic, by stage and error code',
      labelNames: ['stage', 'code'],
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
  };
}
