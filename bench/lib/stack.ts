/**
 * The Kafka broker and schema registry a benchmark runs against: KAFKA_BROKERS and SCHEMA_REGISTRY_URL
 * when both are set, otherwise the local stack (scripts/stack), started if needed and stopped afterwards
 * only if this benchmark started it. The versions go into every result file.
 */
import { acquireStack } from '../../scripts/stack/stack.ts';
import { readStackSettings, type StackSettings } from '../../scripts/stack/settings.ts';

export interface BenchStack {
  readonly kafkaBrokers: string;
  readonly schemaRegistryUrl: string;
  readonly kafkaVersion: string;
  readonly registryVersion: string;
  readonly settings: StackSettings;
  release(): Promise<void>;
}

export async function acquireBenchStack(holder: string, say: (line: string) => void): Promise<BenchStack> {
  const settings = readStackSettings();
  const brokers = process.env['KAFKA_BROKERS'];
  const registry = process.env['SCHEMA_REGISTRY_URL'];
  if (brokers !== undefined && brokers !== '' && registry !== undefined && registry !== '') {
    return {
      kafkaBrokers: brokers,
      schemaRegistryUrl: registry,
      kafkaVersion: `external (STACK_KAFKA_VERSION ${settings.kafka.version} assumed for the perf-test jars)`,
      registryVersion: 'external',
      settings,
      release: async () => undefined,
    };
  }
  const lease = await acquireStack(holder, { say, settings });
  return {
    kafkaBrokers: lease.kafkaBrokers,
    schemaRegistryUrl: lease.schemaRegistryUrl,
    kafkaVersion: `Kafka ${lease.kafkaVersion}`,
    registryVersion: `Apicurio Registry ${lease.registryVersion}`,
    settings,
    release: lease.release,
  };
}
