// Everything the local stack can be told through the environment, read once into a frozen object.
// Defaults give the ports every tool expects (Kafka 9092, a Confluent-style registry on 8081), so a
// bare `npm run stack:up` matches what docker-compose.yml offers to Docker users.
import path from 'node:path';
import { StackError } from './stack-error.ts';

export type StackSettings = Readonly<{
  repoRoot: string;
  host: string;
  kafka: Readonly<{
    version: string;
    port: number;
    controllerPort: number;
    heap: string;
    log4jVersion: string;
    slf4jVersion: string;
  }>;
  registry: Readonly<{
    version: string;
    port: number;
    heap: string;
  }>;
  /** Downloaded artifacts; survives `stack:down`, safe to delete. */
  cacheDir: string;
  /** Pid files, broker data, logs of the running stack. */
  stateDir: string;
  logsDir: string;
  javaCommand: string;
  mavenCommand: string;
  startTimeoutMs: number;
}>;

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export function readStackSettings(env: NodeJS.ProcessEnv = process.env): StackSettings {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 65535) problems.push(`${name}=${raw} is not a TCP port`);
    return value;
  };
  const text = (name: string, fallback: string): string => {
    const raw = env[name];
    return raw === undefined || raw === '' ? fallback : raw;
  };

  const stateDir = path.resolve(repoRoot, text('STACK_STATE_DIR', '.stack'));
  const settings: StackSettings = Object.freeze({
    repoRoot,
    host: text('STACK_HOST', '127.0.0.1'),
    kafka: Object.freeze({
      version: text('STACK_KAFKA_VERSION', '4.4.0'),
      port: port('STACK_KAFKA_PORT', 9092),
      controllerPort: port('STACK_KAFKA_CONTROLLER_PORT', 9093),
      heap: text('STACK_KAFKA_HEAP', '1g'),
      log4jVersion: text('STACK_LOG4J_VERSION', '2.26.1'),
      slf4jVersion: text('STACK_SLF4J_VERSION', '2.0.17'),
    }),
    registry: Object.freeze({
      // Apicurio 3.1 and later are compiled for Java 21; 3.0.x is the newest line that runs on Java 17.
      version: text('STACK_REGISTRY_VERSION', '3.0.9'),
      port: port('STACK_REGISTRY_PORT', 8081),
      heap: text('STACK_REGISTRY_HEAP', '512m'),
    }),
    cacheDir: path.resolve(repoRoot, text('RELAY_CACHE_DIR', '.cache')),
    stateDir,
    logsDir: path.join(stateDir, 'logs'),
    javaCommand: env['STACK_JAVA'] ?? (env['JAVA_HOME'] ? path.join(env['JAVA_HOME'], 'bin', 'java') : 'java'),
    mavenCommand: text('STACK_MVN', 'mvn'),
    startTimeoutMs: Number(text('STACK_START_TIMEOUT_MS', '120000')),
  });
  if (settings.kafka.port === settings.kafka.controllerPort) {
    problems.push('STACK_KAFKA_PORT and STACK_KAFKA_CONTROLLER_PORT must differ');
  }
  if (problems.length > 0) throw new StackError(`stack settings: ${problems.join('; ')}`);
  return settings;
}

export function kafkaBootstrap(settings: StackSettings): string {
  return `${settings.host}:${settings.kafka.port}`;
}

/** The Confluent-compatible base URL: what SCHEMA_REGISTRY_URL and @kafkajs/confluent-schema-registry take. */
export function registryUrl(settings: StackSettings): string {
  return `http://${settings.host}:${settings.registry.port}/apis/ccompat/v7`;
}
