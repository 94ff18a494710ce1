/**
 * A fixed-rate load through the whole relay: domain events produced at `rate` per second for `seconds`,
 * through the relay (projector and dispatcher, in a worker process, configured as `klaviyo-relay run`),
 * to the Klaviyo sandbox (in this process, with Klaviyo's own rate limits). Every Klaviyo event the
 * projection promises is matched, by metric and unique_id, to the moment the sandbox accepted it (its 202);
 * latency runs from just before the producer's send. Shared by the latency and memory benchmarks.
 */
import { loadConfig } from '../../src/config/config.ts';
import { createEventEncoder } from '../../src/codec/encoder.ts';
import { createRegistryClient } from '../../src/codec/registry-client.ts';
import { identityKeyOf, type DomainEvent } from '../../src/domain/events.ts';
import { DEFAULT_TOPICS } from '../../src/domain/topics.ts';
import { createProjectionContext } from '../../src/projection/context.ts';
import { project } from '../../src/projection/project.ts';
import { createSandbox } from '../../src/sandbox/server.ts';
import type { SandboxCounters } from '../../src/sandbox/klaviyo-routes.ts';
import { MIXED_TYPES, mixedEvent, RESET_LINK_HOST, resetPasswordEvent } from './events.ts';
import type { WorkerHandle } from './fork-worker.ts';
import { forkRelayWorker } from './relay-node-flags.ts';
import { benchKafka, createTopics } from './kafka.ts';
import { latencyQuantiles, peakInWindow, summarize, type LatencySummary } from './percentiles.ts';
import { benchPrefix, deleteRunTopics, newRunId, topicOf } from './run-id.ts';
import type { BenchStack } from './stack.ts';
import type { CpuSnapshot } from './worker-protocol.ts';

export type Mix = 'reset-password' | 'mixed';

export interface LoadOptions {
  readonly stack: BenchStack;
  readonly name: string;
  readonly mix: Mix;
  readonly rate: number;
  readonly seconds: number;
  /**
   * `klaviyo`: the sandbox enforces Klaviyo's published limits and the relay's limiter is set to the same.
   * `lifted`: both far above the load, to measure what the relay itself adds, apart from Klaviyo's limits.
   */
  readonly limits: 'klaviyo' | 'lifted';
  /** Sent at the same rate before the measured window, delivered but not measured (JIT, connections). */
  readonly warmupSeconds: number;
  /** How long to wait after the last send for the last delivery. */
  readonly drainTimeoutMs: number;
  readonly partitions: number;
  /** How often the relay worker samples its CPU and RSS. */
  readonly sampleMs: number;
  readonly say: (line: string) => void;
  /** Writes the relay worker's V8 CPU profile to this directory. */
  readonly cpuProfileDir?: string;
}

export interface LoadResult {
  readonly name: string;
  readonly mix: Mix;
  readonly limits: 'klaviyo' | 'lifted';
  readonly targetRate: number;
  readonly seconds: number;
  readonly domainEventsSent: number;
  /** Domain events per second the producer actually achieved over the measured window. */
  readonly achievedSendRate: number;
  readonly sendErrors: number;
  readonly klaviyoEventsExpected: number;
  readonly klaviyoEventsDelivered: number;
  readonly missing: number;
  /** Producer send → sandbox 202, milliseconds, over the delivered events of the measured window. */
  readonly latencyMs: LatencySummary | undefined;
  /** The same latencies at 200 evenly spaced shares of the events (the latency chart's CDF). */
  readonly latencyQuantilesMs: readonly number[];
  readonly byLane: Readonly<Record<string, number>>;
  /** Highest number of events the sandbox accepted in any 60 s window, per lane. */
  readonly peakPerMinute: Readonly<Record<string, number>>;
  readonly drainSeconds: number;
  readonly sandbox: SandboxCounters;
  /**
   * CPU of this process (the sandbox standing in for Klaviyo, plus the producer) per 10,000 domain events:
   * on a 2-core machine it competes with the relay, so it is part of what limits the figures.
   */
  readonly loadGeneratorCpuSecondsPer10kEvents: number;
  readonly relay: {
    readonly counters: Readonly<Record<string, number>>;
    /** The graceful stop's failure, if it failed (it is timed: RELAY_SHUTDOWN_TIMEOUT_MS). */
    readonly shutdownProblem: string | undefined;
    readonly peakRssBytes: number;
    readonly cpuSecondsPer10kEvents: number;
    readonly samples: readonly CpuSnapshot[];
  };
}

const API_KEY = 'pk_bench0123456789abcdef';

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { stack, say } = options;
  const runId = newRunId();
  const prefix = benchPrefix(options.name, runId);
  const toTopic = topicOf(prefix);
  const types = options.mix === 'mixed' ? MIXED_TYPES : (['PasswordResetRequested'] as const);
  const sourceTopics = [...new Set(types.map((type) => `${prefix}${DEFAULT_TOPICS[type]}`))];
  const makeEvent =
    options.mix === 'mixed'
      ? (n: number) => mixedEvent(n, runId, Date.now())
      : (n: number) => resetPasswordEvent(n, runId, Date.now());
  const kafka = benchKafka(stack.kafkaBrokers, `bench-${options.name}`);
  const admin = kafka.admin();
  await admin.connect();
  const lifted = { perSecond: 1_000_000, perMinute: 60_000_000 };
  const sandbox = await createSandbox({
    host: '127.0.0.1',
    port: 0,
    ...(options.limits === 'lifted' ? { limits: { events: lifted, bulk: lifted, profiles: lifted } } : {}),
  });
  const liftedRelayLimits = {
    KLAVIYO_RATE_EVENTS_BURST: '100000',
    KLAVIYO_RATE_EVENTS_STEADY: '1000000',
    KLAVIYO_RATE_BULK_BURST: '100000',
    KLAVIYO_RATE_BULK_STEADY: '1000000',
    KLAVIYO_RATE_PROFILES_BURST: '100000',
    KLAVIYO_RATE_PROFILES_STEADY: '1000000',
  };
  const env = {
    ...(options.limits === 'lifted' ? liftedRelayLimits : {}),
    KAFKA_BROKERS: stack.kafkaBrokers,
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    KLAVIYO_API_KEY: API_KEY,
    KLAVIYO_BASE_URL: sandbox.url,
    RELAY_ROLE: 'all',
    RELAY_SOURCE_TOPICS: sourceTopics.join(','),
    RELAY_OUTBOUND_TOPIC: `${prefix}klaviyo.requests`,
    RELAY_AUDIT_TOPIC: `${prefix}audit`,
    RELAY_PROJECTOR_GROUP: `${prefix}projector`,
    RELAY_DISPATCHER_GROUP: `${prefix}dispatcher`,
    RELAY_TOPIC_PARTITIONS: String(options.partitions),
    RELAY_RESET_LINK_HOSTS: RESET_LINK_HOST,
    RELAY_HTTP_HOST: '127.0.0.1',
    RELAY_HTTP_PORT: '0',
    LOG_LEVEL: process.env['BENCH_LOG_LEVEL'] ?? 'fatal',
    BENCH_SAMPLE_MS: String(options.sampleMs),
  };
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new Error(`relay config: ${JSON.stringify(loaded.problems)}`);
  const contextAt = createProjectionContext(loaded.config, undefined);
  const producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  let worker: WorkerHandle | undefined;
  try {
    await createTopics(admin, sourceTopics, options.partitions);
    const encoder = createEventEncoder({ registry: createRegistryClient({ url: stack.schemaRegistryUrl }) });
    // Register the schemas before the clock starts: a producer does that once, at its own start.
    for (const type of types) {
      const sample = options.mix === 'mixed' ? mixedEvent(MIXED_TYPES.indexOf(type as never), runId, 0) : makeEvent(0);
      await encoder.encode(sample, toTopic(sample));
    }
    await producer.connect();
    worker = forkRelayWorker(env, options.cpuProfileDir);
    const ready = await worker.ready;

    /** metric|unique_id → when its domain event was handed to the producer, and whether it is measured. */
    const pending = new Map<string, { sentAt: number; measured: boolean }>();
    const latencies: number[] = [];
    let expectedMeasured = 0;
    let sent = 0;
    let sentMeasured = 0;
    let sendErrors = 0;
    const inFlight = new Set<Promise<void>>();
    const sendEvents = async (events: readonly DomainEvent[], measured: boolean): Promise<void> => {
      const byTopic = new Map<string, { key: string; value: Buffer }[]>();
      const keys: string[] = [];
      for (const event of events) {
        const encoded = await encoder.encode(event, toTopic(event));
        const messages = byTopic.get(encoded.topic) ?? [];
        byTopic.set(encoded.topic, messages);
        messages.push({ key: identityKeyOf(event), value: encoded.value });
        const projected = project(event, contextAt(Date.now()));
        if (!projected.ok) throw new Error(`benchmark event does not project: ${projected.error.message}`);
        for (const request of projected.requests) {
          if (request.kind === 'create-event') keys.push(`${request.metric}|${request.uniqueId}`);
        }
      }
      const sentAt = Date.now();
      for (const key of keys) pending.set(key, { sentAt, measured });
      if (measured) expectedMeasured += keys.length;
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
    };

    // The schedule: event n is due at start + n / rate; every 10 ms whatever is due goes out in one send.
    const totalSeconds = options.warmupSeconds + options.seconds;
    const total = Math.round(options.rate * totalSeconds);
    const warmupCount = Math.round(options.rate * options.warmupSeconds);
    say(
      `${options.name}: ${options.rate} ${options.mix} events/s for ${options.seconds} s ` +
        `(+${options.warmupSeconds} s warm-up)…`,
    );
    const started = performance.now();
    const ownCpuAtStart = process.cpuUsage();
    let measuredStartedAt = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1_000) * options.rate) + 1);
      if (due > sent) {
        const batch: DomainEvent[] = [];
        const measured = sent >= warmupCount;
        if (measured && sentMeasured === 0) measuredStartedAt = performance.now();
        // A batch never straddles the warm-up boundary, so each batch is measured or not as a whole.
        const until = measured ? due : Math.min(due, warmupCount);
        for (let n = sent; n < until; n += 1) batch.push(makeEvent(n));
        if (measured) sentMeasured += batch.length;
        sent = until;
        const sending = sendEvents(batch, measured).catch((error: unknown) => {
          sendErrors += 1;
          say(`send failed: ${error instanceof Error ? error.message : String(error)}`);
        });
        inFlight.add(sending);
        void sending.finally(() => inFlight.delete(sending));
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const measuredSeconds = (performance.now() - measuredStartedAt) / 1_000;
    await Promise.all(inFlight);
    const lastSendAt = Date.now();

    // Match what the sandbox accepted against what was sent, until everything arrived or the drain timed out.
    const store = sandbox.admin.store;
    let seen = 0;
    const byLane: Record<string, number> = {};
    const acceptedTimes: Record<string, number[]> = {};
    const drainDeadline = lastSendAt + options.drainTimeoutMs;
    for (;;) {
      const events = store.events;
      for (; seen < events.length; seen += 1) {
        const event = events[seen]!;
        byLane[event.lane] = (byLane[event.lane] ?? 0) + 1;
        (acceptedTimes[event.lane] ??= []).push(event.acceptedAt);
        const key = `${event.metric}|${event.uniqueId}`;
        const sentInfo = pending.get(key);
        if (sentInfo === undefined) continue;
        pending.delete(key);
        if (sentInfo.measured) latencies.push(event.acceptedAt - sentInfo.sentAt);
      }
      if (pending.size === 0 || Date.now() > drainDeadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const drainSeconds = (Date.now() - lastSendAt) / 1_000;
    const ownCpu = process.cpuUsage(ownCpuAtStart);
    worker.stop();
    const done = await worker.done;
    const cpu = done.snapshot.cpuSeconds - ready.snapshot.cpuSeconds;
    return {
      name: options.name,
      mix: options.mix,
      limits: options.limits,
      targetRate: options.rate,
      seconds: options.seconds,
      domainEventsSent: sentMeasured,
      achievedSendRate: sentMeasured / measuredSeconds,
      sendErrors,
      klaviyoEventsExpected: expectedMeasured,
      klaviyoEventsDelivered: latencies.length,
      missing: expectedMeasured - latencies.length,
      latencyMs: latencies.length > 0 ? summarize(latencies) : undefined,
      latencyQuantilesMs: latencyQuantiles(latencies),
      byLane,
      peakPerMinute: Object.fromEntries(
        Object.entries(acceptedTimes).map(([lane, times]) => [lane, peakInWindow(times, 60_000)]),
      ),
      drainSeconds,
      sandbox: { ...sandbox.admin.counters() },
      loadGeneratorCpuSecondsPer10kEvents: ((ownCpu.user + ownCpu.system) / 1e6 / Math.max(1, sent)) * 10_000,
      relay: {
        counters: done.counters,
        shutdownProblem: done.shutdownProblem,
        peakRssBytes: done.peakRssBytes,
        cpuSecondsPer10kEvents: (cpu / Math.max(1, sent)) * 10_000,
        samples: worker.samples,
      },
    };
  } catch (error) {
    worker?.kill();
    throw error;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await sandbox.close();
    await deleteRunTopics(admin, prefix).catch((error: unknown) => say(`could not delete the run's topics: ${error}`));
    await admin.deleteGroups([`${prefix}projector`, `${prefix}dispatcher`]).catch(() => undefined);
    await admin.disconnect();
  }
}
