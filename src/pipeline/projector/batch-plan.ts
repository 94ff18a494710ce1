/**
 * Turns the outcomes of a run of consecutive records into what one transaction writes: the Klaviyo
 * requests for the outbound topic, the dead letters for `<source-topic>.dlq`, and the offset to commit.
 * Pure: the clock and the service identity come in as arguments.
 */
import type { TopicMessages } from 'kafkajs';
import { deadLetterMessage } from '../dead-letter/message.ts';
import { deadLetterTopic, nextOffset, type SourceRecord } from '../source-record.ts';
import { toOutboundMessage } from '../outbound-record.ts';
import type { RecordOutcome } from './process-record.ts';

export type SettledOutcome = Exclude<RecordOutcome, { kind: 'retry' }>;

export interface SettledRecord {
  readonly record: SourceRecord;
  readonly outcome: SettledOutcome;
}

export interface PlanContext {
  readonly outboundTopic: string;
  readonly consumerGroup: string;
  readonly serviceVersion: string;
  readonly now: Date;
  readonly secrets: readonly string[];
}

export interface TransactionPlan {
  readonly topicMessages: readonly TopicMessages[];
  /** The source offset of the first record in the plan. */
  readonly firstOffset: string;
  /** The offset to commit for the source partition: one past the last settled record. */
  readonly commitOffset: string;
  readonly requestCount: number;
  readonly deadLetterCount: number;
}

/** `settled` must be non-empty, consecutive and from one partition (the projector guarantees it). */
export function planTransaction(settled: readonly SettledRecord[], context: PlanContext): TransactionPlan {
  const last = settled[settled.length - 1];
  if (last === undefined) throw new RangeError('planTransaction needs at least one settled record');
  const outbound: TopicMessages = { topic: context.outboundTopic, messages: [] };
  const deadLetters = new Map<string, TopicMessages>();
  let requestCount = 0;
  for (const { record, outcome } of settled) {
    if (outcome.kind === 'project') {
      for (const request of outcome.requests) outbound.messages.push(toOutboundMessage(request));
      requestCount += outcome.requests.length;
      continue;
    }
    const topic = deadLetterTopic(record.topic);
    const target = deadLetters.get(topic) ?? { topic, messages: [] };
    deadLetters.set(topic, target);
    target.messages.push(
      deadLetterMessage(
        record,
        { ...outcome, attempts: 1, firstFailedAt: context.now, failedAt: context.now },
        context,
      ),
    );
  }
  const topicMessages = [...(outbound.messages.length > 0 ? [outbound] : []), ...deadLetters.values()];
  const deadLetterCount = [...deadLetters.values()].reduce((sum, entry) => sum + entry.messages.length, 0);
  return {
    topicMessages,
    firstOffset: settled[0]!.record.offset,
    commitOffset: nextOffset(last.record.offset),
    requestCount,
    deadLetterCount,
  };
}
