/**
 * Tracks what a kafkajs consumer's instrumentation events say about it (connected, crashed, assigned
 * partitions), so readiness and producer pools can follow rebalances without polling.
 */
import type { Consumer } from 'kafkajs';
import type { Logger } from '../../observability/logger.ts';

export interface AssignedPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface ConsumerState {
  readonly connected: () => boolean;
  /** Why the consumer is not usable, or undefined while it is. */
  readonly problem: () => string | undefined;
  readonly assignment: () => readonly AssignedPartition[];
}

export function trackConsumer(
  consumer: Consumer,
  logger: Logger,
  onAssignment: (assigned: readonly AssignedPartition[]) => void,
): ConsumerState {
  let connected = false;
  let joined = false;
  let crashed: string | undefined;
  let assignment: readonly AssignedPartition[] = [];
  consumer.on(consumer.events.CONNECT, () => {
    connected = true;
  });
  consumer.on(consumer.events.DISCONNECT, () => {
    connected = false;
    joined = false;
  });
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    joined = true;
    crashed = undefined;
    assignment = Object.entries(event.payload.memberAssignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    logger.info({ groupId: event.payload.groupId, assignment: event.payload.memberAssignment }, 'partitions assigned');
    onAssignment(assignment);
  });
  consumer.on(consumer.events.CRASH, (event) => {
    const reason = event.payload.error instanceof Error ? event.payload.error.message : String(event.payload.error);
    logger.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
    if (!event.payload.restart) crashed = `consumer crashed and will not restart: ${reason}`;
    joined = false;
  });
  return {
    connected: () => connected,
    problem: () =>
      crashed ?? (!connected ? 'not connected to Kafka' : !joined ? 'not in its consumer group yet' : undefined),
    assignment: () => assignment,
  };
}
