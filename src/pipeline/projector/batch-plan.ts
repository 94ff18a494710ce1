/**
 * Turns the outcomes of a run of consecutive records into what one transaction writes: the Klaviyo
 * requests for the outbound topic, the dead letters for `<source-topic>.dlq`, and the offset to commit.
 * Pure: the clock and the service identity come in as arguments.
 */
import type { Message, TopicMessages } from 'kafkajs';
import { classifyRequests, DEFAULT_URGENCY_RULES, type UrgencyRules } from '../../klaviyo/urgency.ts';
import { classTopic } from '../topics.ts';
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
  /** The base outbound topic; each request goes to its class's topic (topics.ts `classTopic`). */
  readonly outboundTopic: string;
  /** Classes per metric (config.relay.urgency); default: the guide's. */
  readonly urgency?: UrgencyRules;
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

/** A transaction being filled record by record; `bytes` lets the projector end it before it outgrows a batch. */
export interface PlanBuilder {
  add(settled: SettledRecord): void;
  /** Records added so far. */
  readonly count: number;
  /** Key and value bytes of every message so far: what the broker's max.message.bytes is measured against. */
  readonly bytes: number;
  /** The transaction; needs at least one record. */
  build(): TransactionPlan;
}

export function createPlanBuilder(context: PlanContext): PlanBuilder {
  const outbound = new Map<string, TopicMessages>();
  const outboundOf = (topic: string): TopicMessages => {
    const target = outbound.get(topic) ?? { topic, messages: [] };
    outbound.set(topic, target);
    return target;
  };
  const deadLetters = new Map<string, TopicMessages>();
  let first: SettledRecord | undefined;
  let last: SettledRecord | undefined;
  let count = 0;
  let bytes = 0;
  let requestCount = 0;
  let deadLetterCount = 0;
  const push = (target: TopicMessages, message: Message): void => {
    target.messages.push(message);
    bytes += sizeOf(message.key) + sizeOf(message.value);
  };
  return {
    add(settled) {
      const { record, outcome } = settled;
      first ??= settled;
      last = settled;
      count += 1;
      if (outcome.kind === 'project') {
        // Classified together: a profile PATCH goes to the topic of the Updated Email it precedes.
        const classes = classifyRequests(outcome.requests, context.urgency ?? DEFAULT_URGENCY_RULES);
        outcome.requests.forEach((request, index) => {
          push(outboundOf(classTopic(context.outboundTopic, classes[index]!)), toOutboundMessage(request));
        });
        requestCount += outcome.requests.length;
        return;
      }
      const topic = deadLetterTopic(record.topic);
      const target = deadLetters.get(topic) ?? { topic, messages: [] };
      deadLetters.set(topic, target);
      push(
        target,
        deadLetterMessage(
          record,
          { ...outcome, attempts: 1, firstFailedAt: context.now, failedAt: context.now },
          context,
        ),
      );
      deadLetterCount += 1;
    },
    get count() {
      return count;
    },
    get bytes() {
      return bytes;
    },
    build() {
      if (first === undefined || last === undefined) throw new RangeError('a transaction needs at least one record');
      return {
        topicMessages: [...outbound.values(), ...deadLetters.values()],
        firstOffset: first.record.offset,
        commitOffset: nextOffset(last.record.offset),
        requestCount,
        deadLetterCount,
      };
    },
  };
}

/** `settled` must be non-empty, consecutive and from one partition (the projector guarantees it). */
export function planTransaction(settled: readonly SettledRecord[], context: PlanContext): TransactionPlan {
  const builder = createPlanBuilder(context);
  for (const entry of settled) builder.add(entry);
  return builder.build();
}

function sizeOf(data: Message['key']): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
