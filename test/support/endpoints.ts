// Where the real Kafka and schema registry are for tests, benchmarks and the demo, in this order:
//   1. KAFKA_BROKERS and SCHEMA_REGISTRY_URL in the environment (CI services, a shared cluster);
//   2. testcontainers, when a Docker-compatible engine answers;
//   3. the local stack (scripts/stack), started if needed and stopped afterwards only if we started it.
// RELAY_TEST_STACK=local|testcontainers skips the detection and forces one of the last two.
import { acquireStack } from '../../scripts/stack/stack.ts';

export type EndpointSource = 'environment' | 'testcontainers' | 'local-stack';

export type TestEndpoints = Readonly<{
  kafkaBrokers: string;
  schemaRegistryUrl: string;
  source: EndpointSource;
  /** One line for logs: where the endpoints came from and which versions run there. */
  description: string;
  /** Gives back what was acquired (stops containers, or the local stack if this call started it). */
  release: () => Promise<void>;
}>;

export type AcquireOptions = Readonly<{
  /** Names the lease on the local stack, e.g. "vitest" or "bench:codec". */
  holder: string;
  say?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}>;

export async function acquireTestEndpoints(options: AcquireOptions): Promise<TestEndpoints> {
  const env = options.env ?? process.env;
  const say = options.say ?? (() => undefined);

  const fromEnvironment = endpointsFromEnvironment(env);
  if (fromEnvironment !== undefined) return fromEnvironment;

  const forced = env['RELAY_TEST_STACK'];
  if (forced !== undefined && forced !== '' && forced !== 'auto' && forced !== 'local' && forced !== 'testcontainers') {
    throw new Error(`RELAY_TEST_STACK=${forced}: expected auto, local or testcontainers`);
  }
  if (forced === 'testcontainers' || (forced !== 'local' && (await dockerAnswers()))) {
    // Loaded only here: testcontainers is large, and most runs on this project never need it.
    const { startContainerStack } = await import('./testcontainers-stack.ts');
    return startContainerStack(say);
  }

  const lease = await acquireStack(options.holder, { say });
  return {
    kafkaBrokers: lease.kafkaBrokers,
    schemaRegistryUrl: lease.schemaRegistryUrl,
    source: 'local-stack',
    description:
      `local stack (Kafka ${lease.kafkaVersion}, Apicurio Registry ${lease.registryVersion}` +
      `${lease.started.length > 0 ? `, started ${lease.started.join(' and ')} for this run` : ', already running'})`,
    release: lease.release,
  };
}

function endpointsFromEnvironment(env: NodeJS.ProcessEnv): TestEndpoints | undefined {
  const kafkaBrokers = env['KAFKA_BROKERS'];
  const schemaRegistryUrl = env['SCHEMA_REGISTRY_URL'];
  const given = [kafkaBrokers, schemaRegistryUrl].filter((value) => value !== undefined && value !== '');
  if (given.length === 0) return undefined;
  if (
    kafkaBrokers === undefined ||
    kafkaBrokers === '' ||
    schemaRegistryUrl === undefined ||
    schemaRegistryUrl === ''
  ) {
    // Half a configuration would silently mix a remote broker with a local registry (or the reverse).
    throw new Error('set both KAFKA_BROKERS and SCHEMA_REGISTRY_URL, or neither (then a local stack is used)');
  }
  return {
    kafkaBrokers,
    schemaRegistryUrl,
    source: 'environment',
    description: `environment (KAFKA_BROKERS=${kafkaBrokers}, SCHEMA_REGISTRY_URL=${schemaRegistryUrl})`,
    release: async () => undefined,
  };
}

/** True when testcontainers finds a working container runtime (Docker, Podman, Colima…). */
async function dockerAnswers(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient(); // throws "Could not find a working container runtime strategy"
    return true;
  } catch {
    return false;
  }
}
