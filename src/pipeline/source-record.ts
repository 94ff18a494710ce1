/** A consumed Kafka record as the pipeline sees it: kafkajs's message plus where it came from. */
import type { IHeaders, KafkaMessage } from 'kafkajs';

export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Epoch millis as a string, as kafkajs gives it. */
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

export function toSourceRecord(topic: string, partition: number, message: KafkaMessage): SourceRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: message.timestamp,
    key: message.key ?? null,
    value: message.value,
    headers: message.headers ?? {},
  };
}

/** The offset after `offset`: what a consumer commits to say "everything up to here is done". */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Where a dead letter that failed again after its last allowed replay waits for a human: `<dlq>.parked`. */
export function parkedTopic(deadLetterTopicName: string): string {
  return `${deadLetterTopicName}.parked`;
}
