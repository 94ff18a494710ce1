// The local stack as a library: ensureStack() / stopStack() / stackStatus(). The npm scripts, the test
// global setup, benchmarks and the demo all go through these three functions.
import { mkdir } from 'node:fs/promises';
import { ensureKafkaRuntime, ensureRegistryRuntime } from './artifacts.ts';
import { describeKafka, startKafka, waitForKafka } from './kafka-node.ts';
import { dropLease, liveLeases, takeLease } from './leases.ts';
import { withStackLock } from './lock.ts';
import { requireJava, requirePortFree } from './preflight.ts';
import { forgetPidRecord, runningProcess, stopProcess } from './processes.ts';
import type { Component, PidRecord } from './processes.ts';
import { probeRegistry, startRegistry, waitForRegistry } from './registry-node.ts';
import { kafkaBootstrap, readStackSettings, registryUrl } from './settings.ts';
import type { StackSettings } from './settings.ts';

const MINIMUM_JAVA = 17; // Kafka 4 brokers require Java 17
const LOCK_TIMEOUT_MS = 15 * 60_000; // a cold fetch holds the lock for minutes

export type Say = (line: string) => void;

export type StackEndpoints = Readonly<{
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  kafkaVersion: string;
  registryVersion: string;
  /** What this call started (and so what its caller may stop); empty when all was already running. */
  started: readonly Component[];
}>;

/** Starts whatever part of the stack is not running and waits until both servers answer. */
export async function ensureStack(options: { say?: Say; settings?: StackSettings } = {}): Promise<StackEndpoints> {
  const settings = options.settings ?? readStackSettings();
  const say = options.say ?? (() => undefined);
  await mkdir(settings.logsDir, { recursive: true });
  return withStackLock(settings.stateDir, LOCK_TIMEOUT_MS, say, () => startMissing(settings, say));
}

export type StackLease = StackEndpoints & Readonly<{ release: () => Promise<void> }>;

/**
 * ensureStack() for a client that wants the stack only while it runs (a test run, a benchmark):
 * release() stops what this call started, unless another live process still holds a lease.
 */
export async function acquireStack(
  holder: string,
  options: { say?: Say; settings?: StackSettings } = {},
): Promise<StackLease> {
  const settings = options.settings ?? readStackSettings();
  const say = options.say ?? (() => undefined);
  await mkdir(settings.logsDir, { recursive: true });
  // The lease is taken under the same lock as the start, so a concurrent release cannot slip between.
  const { endpoints, lease } = await withStackLock(settings.stateDir, LOCK_TIMEOUT_MS, say, async () => ({
    endpoints: await startMissing(settings, say),
    lease: await takeLease(settings.stateDir, holder),
  }));
  const release = async (): Promise<void> => {
    await withStackLock(settings.stateDir, LOCK_TIMEOUT_MS, say, async () => {
      await dropLease(lease);
      if (endpoints.started.length === 0) return;
      const others = await liveLeases(settings.stateDir);
      if (others.length > 0) {
        say(`leaving the stack running: ${others.length} other process(es) still use it`);
        return;
      }
      for (const component of [...endpoints.started].reverse()) {
        const outcome = await stopComponent(settings, component);
        if (outcome !== undefined) say(`${component}: ${outcome}`);
      }
    });
  };
  return { ...endpoints, release };
}

async function startMissing(settings: StackSettings, say: Say): Promise<StackEndpoints> {
  const runningKafka = await runningProcess(settings.stateDir, 'kafka');
  const runningRegistry = await runningProcess(settings.stateDir, 'registry');
  const started: Component[] = [];
  const launchKafka = async (): Promise<PidRecord> => {
    const runtime = await ensureKafkaRuntime(settings, say);
    say(`starting Kafka ${runtime.version} (KRaft, broker+controller) on ${kafkaBootstrap(settings)}…`);
    const record = await startKafka(settings, runtime);
    started.push('kafka');
    return record;
  };
  const launchRegistry = async (): Promise<PidRecord> => {
    const runtime = await ensureRegistryRuntime(settings, say);
    say(`starting Apicurio Registry ${runtime.version} on ${registryUrl(settings)}…`);
    const record = await startRegistry(settings, runtime);
    started.push('registry');
    if (runningKafka !== undefined) {
      say(
        'note: the registry restarted empty while Kafka kept its records; stack:down then stack:up gives a clean pair',
      );
    }
    return record;
  };
  try {
    // Check Java and ports and fetch everything before starting anything, so a failure leaves nothing behind.
    if (runningKafka === undefined || runningRegistry === undefined) {
      await requireJava(settings.javaCommand, MINIMUM_JAVA);
    }
    if (runningKafka === undefined) {
      await requirePortFree(settings.host, settings.kafka.port, 'Kafka', 'STACK_KAFKA_PORT');
      await requirePortFree(
        settings.host,
        settings.kafka.controllerPort,
        'The Kafka controller',
        'STACK_KAFKA_CONTROLLER_PORT',
      );
      await ensureKafkaRuntime(settings, say);
    }
    if (runningRegistry === undefined) {
      await requirePortFree(settings.host, settings.registry.port, 'The schema registry', 'STACK_REGISTRY_PORT');
      await ensureRegistryRuntime(settings, say);
    }
    const kafka = runningKafka ?? (await launchKafka());
    const registry = runningRegistry ?? (await launchRegistry());
    // Also waits when both were already running: another `up` may have started them a moment ago.
    await Promise.all([
      waitForKafka(settings, kafka, settings.startTimeoutMs),
      waitForRegistry(settings, registry, settings.startTimeoutMs),
    ]);
    return {
      kafkaBrokers: kafkaBootstrap(settings),
      schemaRegistryUrl: registryUrl(settings),
      kafkaVersion: kafka.version,
      registryVersion: registry.version,
      started,
    };
  } catch (error) {
    // Leave nothing half-started behind: stop exactly what this call launched.
    for (const component of started.reverse()) await stopComponent(settings, component);
    throw error;
  }
}

/** Stops what `ensureStack` started (all of it, or only `components`); never anything else. */
export async function stopStack(
  options: { say?: Say; settings?: StackSettings; components?: readonly Component[] } = {},
): Promise<Component[]> {
  const settings = options.settings ?? readStackSettings();
  const say = options.say ?? (() => undefined);
  await mkdir(settings.stateDir, { recursive: true });
  // The registry first: it may still be answering a client that is about to touch Kafka.
  const order = (['registry', 'kafka'] as const).filter((c) => options.components?.includes(c) ?? true);
  return withStackLock(settings.stateDir, LOCK_TIMEOUT_MS, say, async () => {
    const stopped: Component[] = [];
    for (const component of order) {
      const outcome = await stopComponent(settings, component);
      if (outcome !== undefined) {
        say(`${component}: ${outcome}`);
        stopped.push(component);
      }
    }
    return stopped;
  });
}

async function stopComponent(settings: StackSettings, component: Component): Promise<string | undefined> {
  const record = await runningProcess(settings.stateDir, component);
  if (record === undefined) return undefined;
  // Kafka's controlled shutdown of a single node takes a few seconds; give it time before SIGKILL.
  const outcome = await stopProcess(record, component === 'kafka' ? 30_000 : 15_000);
  await forgetPidRecord(settings.stateDir, component);
  return `${outcome} pid ${record.pid}`;
}

export type ComponentStatus = Readonly<{
  component: Component;
  running: boolean;
  answering: boolean;
  detail: string;
  record?: PidRecord;
}>;

export type StackStatus = Readonly<{
  healthy: boolean;
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  components: readonly ComponentStatus[];
}>;

export async function stackStatus(options: { settings?: StackSettings } = {}): Promise<StackStatus> {
  const settings = options.settings ?? readStackSettings();
  const kafkaRecord = await runningProcess(settings.stateDir, 'kafka');
  const registryRecord = await runningProcess(settings.stateDir, 'registry');
  const kafkaAnswer = await describeKafka(settings, 3000);
  const registryAnswer = await probeRegistry(settings, 3000);
  const components: ComponentStatus[] = [
    {
      component: 'kafka',
      running: kafkaRecord !== undefined,
      answering: kafkaAnswer.ok,
      detail: kafkaAnswer.ok ? `cluster ${kafkaAnswer.clusterId}, ${kafkaAnswer.brokers} broker` : kafkaAnswer.problem,
      ...(kafkaRecord === undefined ? {} : { record: kafkaRecord }),
    },
    {
      component: 'registry',
      running: registryRecord !== undefined,
      answering: registryAnswer.ok,
      detail: registryAnswer.ok ? `${registryAnswer.subjects} subjects` : registryAnswer.problem,
      ...(registryRecord === undefined ? {} : { record: registryRecord }),
    },
  ];
  return {
    healthy: components.every((c) => c.running && c.answering),
    kafkaBrokers: kafkaBootstrap(settings),
    schemaRegistryUrl: registryUrl(settings),
    components,
  };
}
