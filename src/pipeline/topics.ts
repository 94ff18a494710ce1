/**
 * The topics the relay needs, created on start when missing: the domain topics, the outbound topic, each
 * one's `.dlq`, the `.parked` topics of the replay tool and the audit topic. Existing topics are left as
 * they are (their partition count is the operator's decision). `relayTopics` is pure; `ensureTopics`
 * is the adapter.
 */
import type { Admin } from 'kafkajs';
import { RelayError } from '../errors.ts';
import { deadLetterTopic, parkedTopic } from './source-record.ts';

export interface TopicLayout {
  readonly sourceTopics: readonly string[];
  readonly outboundTopic: string;
  readonly auditTopic: string;
}

export function relayTopics(layout: TopicLayout): string[] {
  const withDeadLetters = [...layout.sourceTopics, layout.outboundTopic].flatMap((topic) => [
    topic,
    deadLetterTopic(topic),
    parkedTopic(deadLetterTopic(topic)),
  ]);
  return [...new Set([...withDeadLetters, layout.auditTopic])];
}

export interface TopicSettings {
  readonly partitions: number;
  /** -1 takes the broker's default.replication.factor. */
  readonly replication: number;
}

/** The audit log is read in the order it was written, so it has one partition whatever the default. */
export const AUDIT_TOPIC_PARTITIONS = 1;

/** Creates every missing topic of the relay (the audit topic with one partition); returns those created. */
export async function ensureRelayTopics(admin: Admin, layout: TopicLayout, settings: TopicSettings): Promise<string[]> {
  const dataTopics = relayTopics(layout).filter((topic) => topic !== layout.auditTopic);
  const created = await ensureTopics(admin, dataTopics, settings);
  const audit = await ensureTopics(admin, [layout.auditTopic], { ...settings, partitions: AUDIT_TOPIC_PARTITIONS });
  return [...created, ...audit];
}

/** Creates the missing topics; returns the names it created. Safe to race with another instance. */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  settings: TopicSettings,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  // createTopics resolves false (not an error) when another instance created them first.
  // kafkajs waits for leaders by default and gives up on KRaft's transient UNKNOWN_TOPIC_OR_PARTITION.
  await admin.createTopics({
    waitForLeaders: false,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: settings.partitions,
      replicationFactor: settings.replication,
    })),
  });
  await waitForTopicLeaders(admin, missing);
  return missing;
}

/**
 * Waits until every partition of `topics` has a leader. kafkajs's own `createTopics({ waitForLeaders })`
 * retries only LEADER_NOT_AVAILABLE and gives up on the UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers
 * for a moment after a create, so producing right after a create would fail; this polls the metadata.
 */
export async function waitForTopicLeaders(admin: Admin, topics: readonly string[], timeoutMs = 15_000): Promise<void> {
  if (topics.length === 0) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = await admin
      .fetchTopicMetadata({ topics: [...topics] })
      .then(({ topics: found }) =>
        found.every(
          (topic) => topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
        ),
      )
      .catch(() => false);
    if (ready) return;
    if (Date.now() > deadline) {
      throw new RelayError(
        'KAFKA_UNAVAILABLE',
        `topics ${topics.join(', ')} have no leader ${timeoutMs} ms after creation`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
