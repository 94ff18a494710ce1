/**
 * kafkajs's `consumer.commitOffsets()` runs in its own retrier, which wraps a non-retriable broker error in
 * KafkaJSNonRetriableError. Thrown from eachBatch like that, a group error (ILLEGAL_GENERATION after the
 * broker came back, a rebalance in progress) is no longer recognised by kafkajs's runner, whose rejoin
 * logic checks the error's `type`: the consumer crashes with restart: false and the role stops for good
 * while the process lives on. Rethrowing the original cause lets kafkajs rejoin the group instead.
 */
import { causeOfType } from './error-cause.ts';

const GROUP_ERROR_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

/** The group error at the root of `error`'s cause chain, if there is one. */
export function groupErrorCause(error: unknown): Error | undefined {
  return causeOfType(error, GROUP_ERROR_TYPES);
}
