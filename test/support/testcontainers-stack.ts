// Kafka (KRaft) and Confluent Schema Registry in containers, for machines with a Docker engine.
// @testcontainers/kafka drives Confluent's cp-kafka image (its start script relies on that image);
// cp 8.x is Kafka 4.x and runs KRaft only.
import { KafkaContainer } from '@testcontainers/kafka';
import { GenericContainer, Network, Wait } from 'testcontainers';
import type { TestEndpoints } from './endpoints.ts';

const CONFLUENT_PLATFORM_VERSION = process.env['RELAY_TEST_CP_VERSION'] ?? '8.0.0'; // Kafka 4.0
const KAFKA_HOST_PORT = 9093; // the listener @testcontainers/kafka maps to the host
const KAFKA_NETWORK_ALIAS = 'kafka';
const KAFKA_INTERNAL_LISTENER = `PLAINTEXT://${KAFKA_NETWORK_ALIAS}:9092`; // its BROKER listener
const REGISTRY_PORT = 8081;

export async function startContainerStack(say: (line: string) => void): Promise<TestEndpoints> {
  say(`starting cp-kafka and cp-schema-registry ${CONFLUENT_PLATFORM_VERSION} with testcontainers…`);
  const network = await new Network().start();
  const kafka = await new KafkaContainer(`confluentinc/cp-kafka:${CONFLUENT_PLATFORM_VERSION}`)
    .withKraft()
    .withNetwork(network)
    .withNetworkAliases(KAFKA_NETWORK_ALIAS)
    .withEnvironment({
      // The module sets the offsets topic and the transaction log's min ISR to one node, but not the
      // transaction log's replication factor: without this, InitProducerId never finds a coordinator.
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
      KAFKA_NUM_PARTITIONS: '3',
    })
    .start();
  try {
    const registry = await new GenericContainer(`confluentinc/cp-schema-registry:${CONFLUENT_PLATFORM_VERSION}`)
      .withNetwork(network)
      .withNetworkAliases('schema-registry')
      .withExposedPorts(REGISTRY_PORT)
      .withEnvironment({
        SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
        SCHEMA_REGISTRY_LISTENERS: `http://0.0.0.0:${REGISTRY_PORT}`,
        SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: KAFKA_INTERNAL_LISTENER,
      })
      .withWaitStrategy(Wait.forHttp('/subjects', REGISTRY_PORT).forStatusCode(200))
      .withStartupTimeout(120_000)
      .start();
    const kafkaBrokers = `${kafka.getHost()}:${kafka.getMappedPort(KAFKA_HOST_PORT)}`;
    const schemaRegistryUrl = `http://${registry.getHost()}:${registry.getMappedPort(REGISTRY_PORT)}`;
    return {
      kafkaBrokers,
      schemaRegistryUrl,
      source: 'testcontainers',
      description: `testcontainers (cp-kafka and cp-schema-registry ${CONFLUENT_PLATFORM_VERSION})`,
      release: async () => {
        await registry.stop();
        await kafka.stop();
        await network.stop();
      },
    };
  } catch (error) {
    await kafka.stop();
    await network.stop();
    throw error;
  }
}
