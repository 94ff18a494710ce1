// One Kafka 4.x node in KRaft mode (broker and controller in one JVM) on loopback, tuned for a laptop:
// replication factor 1 everywhere, no initial rebalance delay, a modest heap.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import kafkajs from 'kafkajs';
import type { KafkaRuntime } from './artifacts.ts';
import { describe } from './preflight.ts';
import { StackError } from './stack-error.ts';
import { isOurs, launch, sleep } from './processes.ts';
import type { PidRecord } from './processes.ts';
import { kafkaBootstrap } from './settings.ts';
import type { StackSettings } from './settings.ts';
import { tailOf } from './logs.ts';

const run = promisify(execFile);
const { Kafka, logLevel } = kafkajs;

const MAIN_CLASS = 'kafka.Kafka';
// kafka-storage.sh in 4.x still runs this Scala entry point from the kafka_2.13 jar.
const STORAGE_TOOL_CLASS = 'kafka.tools.StorageTool';

function kafkaHome(settings: StackSettings): string {
  return path.join(settings.stateDir, 'kafka');
}

/**
 * Writes fresh configuration and formats empty storage, then starts the node. The data folder is wiped
 * on purpose: the registry keeps schemas in memory, so records from an earlier run would carry schema
 * ids that no longer mean anything. Like a test container, every start is a clean cluster.
 */
export async function startKafka(settings: StackSettings, runtime: KafkaRuntime): Promise<PidRecord> {
  const home = kafkaHome(settings);
  const dataDir = path.join(home, 'data');
  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  const propertiesFile = path.join(home, 'server.properties');
  const log4jFile = path.join(home, 'log4j2.properties');
  await writeFile(propertiesFile, serverProperties(settings, dataDir));
  await writeFile(log4jFile, LOG4J2_PROPERTIES);

  const logging = [`-Dlog4j2.configurationFile=${log4jFile}`, `-Dkafka.logs.dir=${settings.logsDir}`];
  try {
    await run(
      settings.javaCommand,
      [...logging, '-cp', runtime.classpath, STORAGE_TOOL_CLASS, 'format', '-t', newClusterId(), '-c', propertiesFile],
      { cwd: home },
    );
  } catch (error) {
    const output = error !== null && typeof error === 'object' && 'stdout' in error ? String(error.stdout) : '';
    throw new StackError(`formatting Kafka storage failed: ${describe(error)}\n${output}`);
  }

  return launch({
    component: 'kafka',
    stateDir: settings.stateDir,
    command: settings.javaCommand,
    args: [
      `-Xms256m`,
      `-Xmx${settings.kafka.heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      ...logging,
      '-cp',
      runtime.classpath,
      MAIN_CLASS,
      propertiesFile,
    ],
    cwd: home,
    log: path.join(settings.logsDir, 'kafka.log'),
    version: runtime.version,
    ports: [settings.kafka.port, settings.kafka.controllerPort],
  });
}

/**
 * Ready means a real client round trip works: kafkajs connects, reads metadata and sees this broker as
 * the controller. Fails early, with the end of the log, if the JVM exits while we wait.
 */
export async function waitForKafka(settings: StackSettings, record: PidRecord, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (!(await isOurs(record.pid, record.marker))) {
      throw new StackError(`Kafka exited during start-up; end of ${record.log}:\n${await tailOf(record.log, 30)}`);
    }
    const answer = await describeKafka(settings, 3000);
    if (answer.ok) {
      await warmUpCoordinators(settings);
      return;
    }
    lastProblem = answer.problem;
    await sleep(500);
  }
  throw new StackError(
    `Kafka did not answer on ${kafkaBootstrap(settings)} within ${timeoutMs} ms (${lastProblem}); see ${record.log}`,
  );
}

export type KafkaAnswer =
  Readonly<{ ok: true; brokers: number; clusterId: string }> | Readonly<{ ok: false; problem: string }>;

/** One DescribeCluster round trip, without kafkajs' own retries (we poll instead). */
export async function describeKafka(settings: StackSettings, timeoutMs: number): Promise<KafkaAnswer> {
  const admin = new Kafka({
    clientId: 'klaviyo-relay-stack',
    brokers: [kafkaBootstrap(settings)],
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0 || cluster.controller === null) return { ok: false, problem: 'no controller yet' };
    return { ok: true, brokers: cluster.brokers.length, clusterId: cluster.clusterId };
  } catch (error) {
    return { ok: false, problem: describe(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * A fresh cluster creates __consumer_offsets and __transaction_state on first use, and until they are
 * loaded every JoinGroup or InitProducerId fails with COORDINATOR_LOAD_IN_PROGRESS. Asking for both
 * coordinators here (kafkajs retries those errors) means "ready" includes them, and the first test of a
 * run does not log a crash-and-restart of its consumer.
 */
async function warmUpCoordinators(settings: StackSettings): Promise<void> {
  const kafka = new Kafka({
    clientId: 'klaviyo-relay-stack',
    brokers: [kafkaBootstrap(settings)],
    retry: { retries: 10, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.describeGroups(['klaviyo-relay-stack-warm-up']);
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({
    transactionalId: 'klaviyo-relay-stack-warm-up',
    maxInFlightRequests: 1,
    idempotent: true,
  });
  await producer.connect();
  try {
    // kafkajs looks up the transaction coordinator (creating __transaction_state) on the first transaction.
    const transaction = await producer.transaction();
    await transaction.abort();
  } finally {
    await producer.disconnect();
  }
}

/** Kafka's Uuid text form: 16 random bytes, base64url without padding, never starting with '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(settings: StackSettings, dataDir: string): string {
  const { host } = settings;
  const { port, controllerPort } = settings.kafka;
  return `# Generated by scripts/stack/kafka-node.ts on every start; edit that file, not this one.
process.roles=broker,controller
node.id=1
# A static voter set: the voters live in this file rather than in the metadata log, so changing the
# controller port never strands a formatted log.
controller.quorum.voters=1@${host}:${controllerPort}
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}
advertised.listeners=PLAINTEXT://${host}:${port}
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${dataDir}

# One node: every internal topic has one replica, and one partition, so warming up one group and one
# transactional id at start-up (see warmUpCoordinators) readies the coordinators for every other id.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1

num.partitions=3
auto.create.topics.enable=true
delete.topic.enable=true
# Tests join groups constantly; the 3 s default delay would add up.
group.initial.rebalance.delay.ms=0

# Small segments and short retention keep a long-running dev broker from filling the disk.
log.segment.bytes=67108864
log.retention.hours=24
num.network.threads=2
num.io.threads=4
`;
}

const LOG4J2_PROPERTIES = `# Generated by scripts/stack/kafka-node.ts: everything to stdout, which the stack appends to its log.
status = warn
appender.stdout.type = Console
appender.stdout.name = STDOUT
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
logger.raft.name = org.apache.kafka.raft
logger.raft.level = WARN
`;
