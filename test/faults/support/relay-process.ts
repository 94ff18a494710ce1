// The relay as a child process (`bin/klaviyo-relay run`), so a scenario can kill -9 it. Its stdout and
// stderr (pino JSON at info, and the CLI's own lines) are appended to a log file under
// test/faults/results/logs/, which the secrets scenario greps.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { RESULTS_DIR } from './figures.ts';
import { KNOWN_API_KEY, RESET_HOST } from './traffic.ts';

const BIN = new URL('../../../bin/klaviyo-relay', import.meta.url).pathname;
const ROUTING_FILE = new URL('../../../config/lead-routing.example.yaml', import.meta.url).pathname;
export const LOGS_DIR = `${RESULTS_DIR}logs/`;

export interface RelayLayout {
  readonly sourceTopic: string;
  readonly outboundTopic: string;
  readonly projectorGroup: string;
  readonly dispatcherGroup: string;
}

export function faultLayout(scenario: string): RelayLayout {
  const run = `${scenario}.${Date.now().toString(36)}`;
  return {
    sourceTopic: `faults.${run}.events`,
    outboundTopic: `faults.${run}.requests`,
    projectorGroup: `faults-${run}-projector`,
    dispatcherGroup: `faults-${run}-dispatcher`,
  };
}

export interface RelayEnvOptions {
  readonly kafkaBrokers: string;
  readonly registryUrl: string;
  readonly klaviyoUrl: string;
  readonly partitions?: number;
  readonly httpPort?: number;
  readonly extra?: Record<string, string>;
}

export function faultRelayEnv(layout: RelayLayout, options: RelayEnvOptions): Record<string, string> {
  return {
    KAFKA_BROKERS: options.kafkaBrokers,
    SCHEMA_REGISTRY_URL: options.registryUrl,
    KLAVIYO_API_KEY: KNOWN_API_KEY,
    KLAVIYO_BASE_URL: options.klaviyoUrl,
    RELAY_SOURCE_TOPICS: layout.sourceTopic,
    RELAY_OUTBOUND_TOPIC: layout.outboundTopic,
    RELAY_PROJECTOR_GROUP: layout.projectorGroup,
    RELAY_DISPATCHER_GROUP: layout.dispatcherGroup,
    RELAY_AUDIT_TOPIC: `${layout.outboundTopic}.audit`,
    RELAY_TOPIC_PARTITIONS: String(options.partitions ?? 4),
    RELAY_HTTP_HOST: '127.0.0.1',
    RELAY_HTTP_PORT: String(options.httpPort ?? 0),
    RELAY_RESET_LINK_HOSTS: RESET_HOST,
    RELAY_LEAD_ROUTING_FILE: ROUTING_FILE,
    RELAY_SHUTDOWN_TIMEOUT_MS: '15000',
    // The suite tests faults, not Klaviyo's rate limits: the sandbox is given the same generous budget.
    KLAVIYO_RATE_EVENTS_BURST: '2000',
    KLAVIYO_RATE_EVENTS_STEADY: '200000',
    KLAVIYO_RATE_PROFILES_BURST: '2000',
    KLAVIYO_RATE_PROFILES_STEADY: '200000',
    // The broker's minimum: a killed instance's partitions move to the survivors after 6 s, not 30.
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    LOG_LEVEL: 'info',
    ...options.extra,
  };
}

export interface RelayProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  kill9(): Promise<void>;
  /** SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function spawnRelay(env: Record<string, string>, logName: string, args: readonly string[] = []): RelayProcess {
  mkdirSync(LOGS_DIR, { recursive: true });
  const log = openSync(`${LOGS_DIR}${logName}.log`, 'a');
  const child = spawn(BIN, ['run', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A free loopback port (for RELAY_HTTP_PORT, so /metrics can be scraped). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Every assignment a relay's log reports for consumer group `groupId`: topic → partitions, in order. */
export function assignmentsLogged(logName: string, groupId: string): Record<string, number[]>[] {
  const path = `${LOGS_DIR}${logName}.log`;
  const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
  return text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      const entry = JSON.parse(line) as { msg?: string; groupId?: string; assignment?: Record<string, number[]> };
      return entry.msg === 'partitions assigned' && entry.groupId === groupId && entry.assignment
        ? [entry.assignment]
        : [];
    } catch {
      return [];
    }
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export { until } from '../../support/until.ts';
