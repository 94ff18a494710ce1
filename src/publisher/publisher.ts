/**
 * For producing microservices: publish typed domain events. Each event is validated (when a validator
 * is given), encoded through the schema registry (TopicRecordNameStrategy subject, registered on first
 * use) and sent with an idempotent kafkajs producer, keyed by the customer or lead identity so that one
 * person's events stay in order on one partition.
 *
 *   const publisher = createDomainEventPublisher({ brokers: ['kafka:9092'], registry: { url } });
 *   await publisher.connect();
 *   await publisher.publish({ type: 'OrderPlaced', data: order });
 */
import { Kafka, Partitioners, type IHeaders, type Producer } from 'kafkajs';
import { createEventEncoder } from '../codec/encoder.ts';
import { createRegistryClient, type RegistryClientOptions, type SchemaRegistry } from '../codec/registry-client.ts';
import { identityKeyOf, type DomainEvent, type DomainEventType } from '../domain/events.ts';
import type { EventValidator } from '../domain/validation.ts';
import { RelayError, isRelayError } from '../errors.ts';

export interface DomainEventPublisherOptions {
  /** A kafkajs client to produce with; or give `brokers` and one is built. */
  readonly kafka?: Kafka;
  readonly brokers?: readonly string[];
  readonly clientId?: string;
  /** A registry client, or the options to build one. */
  readonly registry: SchemaRegistry | RegistryClientOptions;
  /** Topic per event type, where it differs from the default (src/domain/topics.ts). */
  readonly topics?: Partial<Record<DomainEventType, string>>;
  /** Checks each event before it is sent, so a producer cannot publish what the relay would dead-letter. */
  readonly validator?: EventValidator;
}

export interface PublishOptions {
  /** Overrides the topic for this event. */
  readonly topic?: string;
  readonly headers?: IHeaders;
}

export interface PublishReceipt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string | undefined;
  readonly schemaId: number;
  readonly key: string;
}

export interface DomainEventPublisher {
  connect(): Promise<void>;
  /** Rejects with a RelayError: VALIDATION_FAILED (the event), SCHEMA_REJECTED, REGISTRY_UNAVAILABLE, KAFKA_UNAVAILABLE. */
  publish(event: DomainEvent, options?: PublishOptions): Promise<PublishReceipt>;
  disconnect(): Promise<void>;
}

export function createDomainEventPublisher(options: DomainEventPublisherOptions): DomainEventPublisher {
  const kafka = options.kafka ?? buildKafka(options);
  const registry = 'getSchemaById' in options.registry ? options.registry : createRegistryClient(options.registry);
  const encoder = createEventEncoder({ registry });
  // Idempotence (with acks from all in-sync replicas) makes kafkajs's retries duplicate-free; one request
  // in flight keeps a retried batch from overtaking the next one, so per-key order holds.
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // The Java client's murmur2 partitioner: the same key lands on the same partition from any language.
    createPartitioner: Partitioners.DefaultPartitioner,
  });

  return {
    async connect() {
      await kafkaCall('connect to Kafka', () => producer.connect());
    },

    async publish(event, publishOptions = {}) {
      if (options.validator) {
        const checked = options.validator.validate(event);
        if (!checked.ok) throw checked.error;
      }
      const topic = publishOptions.topic ?? options.topics?.[event.type];
      const encoded = await encoder.encode(event, topic);
      const key = identityKeyOf(event);
      const [metadata] = await kafkaCall(`publish ${event.type} to ${encoded.topic}`, () =>
        producer.send({
          topic: encoded.topic,
          acks: -1,
          messages: [{ key, value: encoded.value, headers: { ...publishOptions.headers } }],
        }),
      );
      return {
        topic: encoded.topic,
        partition: metadata?.partition ?? -1,
        offset: metadata?.baseOffset ?? metadata?.offset,
        schemaId: encoded.schemaId,
        key,
      };
    },

    async disconnect() {
      await producer.disconnect();
    },
  };
}

function buildKafka(options: DomainEventPublisherOptions): Kafka {
  if (options.brokers === undefined || options.brokers.length === 0) {
    throw new RelayError('CONFIG_INVALID', 'createDomainEventPublisher needs `kafka` or a non-empty `brokers` list');
  }
  return new Kafka({ clientId: options.clientId ?? 'klaviyo-relay-publisher', brokers: [...options.brokers] });
}

async function kafkaCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRelayError(error)) throw error;
    throw new RelayError(
      'KAFKA_UNAVAILABLE',
      `could not ${what}: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
}
