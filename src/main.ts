/**
 * The composition root: builds every adapter from the Config and wires the projector and the dispatcher
 * (DESIGN.md §1). `startRelay` runs the service in-process (the CLI's `run`, the demo, benchmarks, tests);
 * `stop()` shuts it down within RELAY_SHUTDOWN_TIMEOUT_MS. Dependencies may be injected for tests.
 */
import { readFileSync } from 'node:fs';
import { createEventDecoder, createRegistryClient } from './codec/index.ts';
import { secretsOf, type Config } from './config/config.ts';
import type { DomainEvent } from './domain/events.ts';
import { SOURCE_TOPICS } from './domain/topics.ts';
import { createEventValidator } from './domain/validation.ts';
import { RelayError } from './errors.ts';
import { createKlaviyoClient, type KlaviyoClient } from './klaviyo/client/client.ts';
import { withLaneCounts } from './klaviyo/client/lane-counts.ts';
import { createDeliverer } from './klaviyo/deliver/deliverer.ts';
import { createRateLimiter } from './klaviyo/rate-limit/limiter.ts';
import { DEFAULT_BACKOFF } from './klaviyo/retry-policy.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { startHealthServer, evaluateReadiness, type ReadinessReport } from './observability/health.ts';
import { publishLimiterMetrics } from './observability/limiter-metrics.ts';
import { createRelayMetrics, type RelayMetrics } from './observability/metrics.ts';
import { createEngineDeliverer } from './pipeline/dispatcher/engine-deliverer.ts';
import { createDispatcher } from './pipeline/dispatcher/dispatcher.ts';
import type { DeliverBatch } from './pipeline/dispatcher/ports.ts';
import { createKafka } from './pipeline/kafka/client.ts';
import type { DecodeRecord, ProjectEvent } from './pipeline/projector/ports.ts';
import { createProjector } from './pipeline/projector/projector.ts';
import type { RoleHandle } from './pipeline/role.ts';
import { ensureRelayTopics } from './pipeline/topics.ts';
import { createProjectionContext } from './projection/context.ts';
import { project } from './projection/project.ts';

export interface RelayDependencies {
  readonly logger?: Logger;
  readonly metrics?: RelayMetrics;
  /** Replaces delivery to Klaviyo (benchmarks); the e2e tests use the real client against the sandbox. */
  readonly deliver?: DeliverBatch;
  readonly now?: () => Date;
  /** The limiter's window lengths (Klaviyo's: 1 s and 60 s); tests shrink them with the sandbox's. */
  readonly rateLimitWindowsMs?: { readonly burst: number; readonly steady: number };
}

export interface RunningRelay {
  /** Base URL of /metrics, /healthz and /readyz. */
  readonly httpUrl: string;
  readonly metrics: RelayMetrics;
  readiness(): ReadinessReport;
  /** Graceful: stop fetching, finish or abandon in-flight work uncommitted, disconnect. Bounded in time. */
  stop(): Promise<void>;
}

export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The secrets of a Config (kept under this name for existing callers; config's `secretsOf` is the one list). */
export const knownSecrets = secretsOf;

export async function startRelay(config: Config, deps: RelayDependencies = {}): Promise<RunningRelay> {
  const secrets = knownSecrets(config);
  const logger = deps.logger ?? createLogger({ level: config.log.level, maskPii: config.log.maskPii, secrets });
  const metrics = deps.metrics ?? createRelayMetrics({ collectDefaults: true });
  const now = deps.now ?? (() => new Date());
  const role = config.relay.role;
  const kafka = createKafka(config, logger);
  const sourceTopics = config.relay.sourceTopics.length > 0 ? config.relay.sourceTopics : SOURCE_TOPICS;

  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await ensureRelayTopics(
      admin,
      { sourceTopics, outboundTopic: config.relay.outboundTopic, auditTopic: config.relay.auditTopic },
      { partitions: config.relay.topicPartitions, replication: config.relay.topicReplication },
    );
    if (created.length > 0) logger.info({ topics: created }, 'created missing topics');
  } finally {
    await admin.disconnect();
  }

  const roles: RoleHandle[] = [];
  let klaviyoClient: KlaviyoClient | undefined;
  let limiterPoll: NodeJS.Timeout | undefined;
  if (role === 'all' || role === 'projector') {
    const registry = createRegistryClient({
      url: config.registry.url,
      ...(config.registry.auth ? { auth: config.registry.auth } : {}),
    });
    const decoder = createEventDecoder({
      registry,
      validator: createEventValidator({ resetLinkHosts: config.relay.resetLinkHosts, now: () => now().getTime() }),
    });
    // Read and validated once, by loadConfig: a bad rules file never gets as far as Kafka.
    const contextAt = createProjectionContext(config, config.relay.leadRouting);
    const decode: DecodeRecord<DomainEvent> = (record) => decoder.decode(record.value);
    const projectEvent: ProjectEvent<DomainEvent> = (event, backfill) => {
      const result = project(event, contextAt(now().getTime(), backfill));
      return result.ok ? result.requests : result.error;
    };
    roles.push(
      createProjector({
        kafka,
        groupId: config.relay.projectorGroup,
        topics: sourceTopics,
        outboundTopic: config.relay.outboundTopic,
        urgency: config.relay.urgency,
        decode,
        project: projectEvent,
        metrics,
        logger,
        serviceVersion: SERVICE_VERSION,
        secrets,
        transactional: config.relay.projectorTransactions,
        partitionsConsumedConcurrently: config.relay.projectorConcurrency,
        maxRecordsPerTransaction: config.relay.projectorMaxRecordsPerTransaction,
        maxTransactionBytes: config.relay.projectorMaxTransactionBytes,
        sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        now,
      }),
    );
  }
  if (role === 'all' || role === 'dispatcher') {
    let deliver = deps.deliver;
    const limiter = createRateLimiter({
      limits: config.klaviyo.rateLimits,
      headroom: { events: config.relay.urgentHeadroom, profiles: config.relay.urgentHeadroom, bulk: 0 },
      promoteAfterMs: config.relay.urgency.promoteAfterMs,
      ...(deps.rateLimitWindowsMs ? { windowMs: deps.rateLimitWindowsMs } : {}),
    });
    if (deliver === undefined) {
      const apiKey = config.klaviyo.apiKey;
      if (apiKey === undefined) {
        throw new RelayError('CONFIG_INVALID', 'KLAVIYO_API_KEY is required when the role includes the dispatcher');
      }
      klaviyoClient = createKlaviyoClient({
        baseUrl: config.klaviyo.baseUrl,
        apiKey,
        revision: config.klaviyo.revision,
        timeoutMs: config.klaviyo.timeoutMs,
        maxConnections: config.klaviyo.maxConnections,
      });
      deliver = createEngineDeliverer(
        createDeliverer({
          client: withLaneCounts(klaviyoClient, (lane, events) => metrics.laneEvents.inc({ lane }, events)),
          limiter,
          backoff: { ...DEFAULT_BACKOFF, random: Math.random },
          maxInFlight: config.klaviyo.maxConnections,
          bulkEligibleMetrics: new Set(config.relay.bulkEligibleMetrics),
          urgency: config.relay.urgency,
        }),
        { backlog: config.relay.bulkBacklogThreshold, ageMs: config.relay.bulkAgeThresholdMs },
      );
    }
    limiterPoll = setInterval(() => publishLimiterMetrics(limiter, metrics), 1_000);
    limiterPoll.unref();
    roles.push(
      createDispatcher({
        kafka,
        groupId: config.relay.dispatcherGroup,
        topic: config.relay.outboundTopic,
        deliver,
        metrics,
        logger,
        serviceVersion: SERVICE_VERSION,
        secrets,
        sessionTimeoutMs: config.kafka.sessionTimeoutMs,
        handOff: { attempts: config.delivery.handOffAttempts, afterMs: config.delivery.handOffAfterMs },
        retryMaxAgeMs: config.delivery.retryMaxAgeMs,
        retryBackoff: { baseMs: DEFAULT_BACKOFF.baseMs, capMs: config.delivery.retryBackoffCapMs },
        commitIntervalMs: config.delivery.commitIntervalMs,
        backlogDegradedAgeMs: config.delivery.backlogDegradedAgeMs,
        maxUnsettledPerPartition: config.delivery.maxUnsettledPerPartition,
        urgency: config.relay.urgency,
        onShareChange: (fraction) => {
          if (fraction > 0) limiter.setShare(Math.min(1, fraction));
        },
        now,
      }),
    );
  }

  const readiness = () => evaluateReadiness(roles.flatMap((entry) => entry.readiness));
  const http = await startHealthServer({
    host: config.http.host,
    port: config.http.port,
    registry: metrics.registry,
    readiness: () => roles.flatMap((entry) => entry.readiness),
    readinessGauge: metrics.readinessCheck,
  });
  try {
    await Promise.all(roles.map((entry) => entry.start()));
  } catch (error) {
    await http.close();
    throw error;
  }
  logger.info({ role, version: SERVICE_VERSION, http: http.url }, 'klaviyo-relay running');

  let stopping: Promise<void> | undefined;
  return {
    httpUrl: http.url,
    metrics,
    readiness,
    stop() {
      stopping ??= (async () => {
        logger.info({ timeoutMs: config.relay.shutdownTimeoutMs }, 'shutting down');
        const graceful = Promise.all(roles.map((entry) => entry.stop())).then(() => 'stopped' as const);
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), config.relay.shutdownTimeoutMs);
        });
        const outcome = await Promise.race([graceful, bound]);
        clearTimeout(timer);
        clearInterval(limiterPoll);
        await klaviyoClient?.close();
        await http.close();
        if (outcome === 'timeout') {
          // Whatever was not committed is redelivered to the next owner: abandoning is safe, hanging is not.
          throw new RelayError(
            'INTERNAL',
            `shutdown exceeded ${config.relay.shutdownTimeoutMs} ms; in-flight work abandoned`,
          );
        }
        logger.info('stopped cleanly');
      })();
      return stopping;
    },
  };
}
