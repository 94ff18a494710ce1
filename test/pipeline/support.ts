/**
 * Simple injected processors for the pipeline's integration tests: a JSON "codec" and a one-request
 * "projection", so the Kafka mechanics (transactions, dead letters, commits) are tested against the real
 * broker independently of the real codec and projection (the e2e tests use those).
 */
import { RelayError } from '../../src/errors.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createRelayMetrics } from '../../src/observability/metrics.ts';
import type { DecodeRecord, ProjectEvent } from '../../src/pipeline/projector/ports.ts';
import { createProjector, type ProjectorOptions } from '../../src/pipeline/projector/projector.ts';
import type { RoleHandle } from '../../src/pipeline/role.ts';
import { createEventRequest } from './fixtures.ts';
import type { Kafka } from 'kafkajs';
import type { KlaviyoRequest } from '../../src/klaviyo/request.ts';
import { toOutboundMessage } from '../../src/pipeline/outbound-record.ts';
import { createDispatcher, type DispatcherOptions } from '../../src/pipeline/dispatcher/dispatcher.ts';
import type { DeliverBatch } from '../../src/pipeline/dispatcher/ports.ts';

export interface JsonEvent {
  readonly type: string;
  readonly id: string;
  readonly profile: string;
}

/** `POISON…` values are undecodable; `registry-down` throws REGISTRY_UNAVAILABLE (a retry). */
export const decodeJson: DecodeRecord<JsonEvent> = async (record) => {
  const text = record.value?.toString('utf8') ?? '';
  if (text.startsWith('POISON')) {
    return { ok: false, error: new RelayError('NOT_WIRE_FORMAT', 'first byte is not the Confluent magic byte 0') };
  }
  return { ok: true, event: JSON.parse(text) as JsonEvent, schemaId: 1 };
};

export const projectOne: ProjectEvent<JsonEvent> = (event) => [createEventRequest(event.profile, event.id)];

export const quietLogger = createLogger({ level: process.env['TEST_LOG_LEVEL'] === 'debug' ? 'debug' : 'silent' });

/** A projector over the JSON codec and the one-request projection: quiet, no secrets, transactional unless told. */
export function jsonProjector(
  options: Pick<ProjectorOptions<JsonEvent>, 'kafka' | 'groupId' | 'topics' | 'outboundTopic'> &
    Partial<ProjectorOptions<JsonEvent>>,
): RoleHandle {
  return createProjector({
    decode: decodeJson,
    project: projectOne,
    metrics: createRelayMetrics(),
    logger: quietLogger,
    serviceVersion: 'test',
    secrets: [],
    transactional: true,
    ...options,
  });
}

export function goodEvent(index: number): JsonEvent {
  return { type: 'OrderPlaced', id: `order-${index}`, profile: `p${index % 5}` };
}

/**
 * Publishes Klaviyo requests to the outbound topic as the projector would: idempotently, because a fresh
 * topic answers NOT_LEADER for a moment on KRaft and a plain producer's retry can write a batch twice.
 */
export async function publishRequests(kafka: Kafka, topic: string, requests: readonly KlaviyoRequest[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages: requests.map(toOutboundMessage) });
  await producer.disconnect();
}

/** The sum of a consumer group's committed offsets over a topic's partitions. */
export async function committedTotal(kafka: Kafka, groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return entry!.partitions.reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}

/** A quiet dispatcher with short backoffs over `deliver`, added to `running` so the test's afterEach stops it. */
export function startTestDispatcher(
  kafka: Kafka,
  running: RoleHandle[],
  options: { topic: string; groupId: string; deliver: DeliverBatch } & Partial<DispatcherOptions>,
) {
  const metrics = createRelayMetrics();
  const dispatcher = createDispatcher({
    kafka,
    metrics,
    logger: quietLogger,
    serviceVersion: 'test',
    secrets: [],
    backoff: { baseMs: 100, capMs: 1_000 },
    ...options,
  });
  running.push(dispatcher);
  return { dispatcher, metrics };
}
