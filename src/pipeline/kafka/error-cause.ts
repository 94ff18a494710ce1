/**
 * kafkajs wraps broker errors in its retriers (KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded),
 * keeping the broker's answer as `type` on an error down the `cause` chain. The relay decides by that
 * answer, so it looks down the chain instead of at the wrapper.
 */

/** The error in `error`'s cause chain whose kafkajs `type` is one of `types`, if there is one. */
export function causeOfType(error: unknown, types: ReadonlySet<string>): Error | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && types.has(type)) return current;
    current = current.cause;
  }
  return undefined;
}

const TOO_LARGE_TYPES = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** True when the broker refused a produce because a batch is larger than the topic's max.message.bytes. */
export function isTooLargeForTopic(error: unknown): boolean {
  return causeOfType(error, TOO_LARGE_TYPES) !== undefined;
}
