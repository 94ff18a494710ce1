/**
 * The topics the relay needs, created on start when missing: the domain topics, the outbound topics (one
 * per class group, see `classTopic`) and their `.retry`, each `.dlq`, the `.parked` topics of the replay tool and the audit topic. Existing topics are left as
 * they are (their partition count is the operator's decision). `relayTopics` is pure; `ensureTopics`
 * is the adapter.
 *
 * A dead letter holds its record's original bytes plus context headers, so a `.dlq` (and its `.parked`)
 * that the relay creates takes a little more than its topic's max.message.bytes: with the broker's
 * default for both, a record near the limit could be read but never dead-lettered, and would block its
 * partition.
 */
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';
import { RelayError } from '../errors.ts';
import type { UrgencyClass } from '../klaviyo/urgency.ts';
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
  const outbound = outboundTopics(layout.outboundTopic);
  return [...new Set([...withDeadLetters, ...outbound, ...outbound.map(retryTopic), layout.auditTopic])];
}

/**
 * The outbound topic a request of `urgency` goes to: urgent and high requests each have their own
 * (`klaviyo.requests.urgent`, `klaviyo.requests.high`), normal and low share `klaviyo.requests`. A topic is
 * first-in first-out per partition, so a class in a topic of its own never waits behind a lower class's
 * backlog in Kafka; the dispatcher reads them all and the limiter serves the higher class first. Every one
 * dead-letters to the base topic's `.dlq` (one place for the replay tool).
 */
export function classTopic(outboundTopic: string, urgency: UrgencyClass): string {
  return urgency === 'urgent' || urgency === 'high' ? `${outboundTopic}.${urgency}` : outboundTopic;
}

/** Every outbound topic of the relay, most urgent first. */
export function outboundTopics(outboundTopic: string): string[] {
  return [classTopic(outboundTopic, 'urgent'), classTopic(outboundTopic, 'high'), outboundTopic];
}

/**
 * Where a request that keeps failing waits for its next attempt, off the head of its outbound partition
 * (`klaviyo.requests.retry`). It has the outbound topic's partition count, and a request handed off from
 * outbound partition p goes to retry partition p: the dispatcher that owns p owns both (co-partitioned
 * assignment), so it knows which profiles have a request waiting there. Its dead letters go to the
 * outbound topic's `.dlq`.
 */
export function retryTopic(outboundTopic: string): string {
  return `${outboundTopic}.retry`;
}

export interface TopicSettings {
  readonly partitions: number;
  /** -1 takes the broker's default.replication.factor. */
  readonly replication: number;
}

/** The audit log is read in the order it was written, so it has one partition whatever the default. */
export const AUDIT_TOPIC_PARTITIONS = 1;

/** Room for a dead letter's context headers (each bounded, see dead-letter/headers.ts) above the record. */
export const DEAD_LETTER_HEADROOM_BYTES = 64 * 1024;

/** Creates every missing topic of the relay (the audit topic with one partition); returns those created. */
export async function ensureRelayTopics(admin: Admin, layout: TopicLayout, settings: TopicSettings): Promise<string[]> {
  const outbound = outboundTopics(layout.outboundTopic);
  const primaries = [...new Set([...layout.sourceTopics, ...outbound])];
  const created = await ensureTopics(admin, primaries, settings);
  // Each retry topic takes its outbound topic's partition count, whatever created that one.
  const retries = outbound.map(retryTopic);
  for (const topic of outbound) {
    const retry = retryTopic(topic);
    if ((await admin.listTopics()).includes(retry)) continue;
    const outboundPartitions = await partitionCount(admin, topic);
    // A retry record is its outbound record plus a few small headers: the same headroom as a dead letter.
    const limit = (await maxMessageBytes(admin, [topic]).catch(() => new Map<string, number>())).get(topic);
    const configEntries =
      limit === undefined
        ? undefined
        : [{ name: 'max.message.bytes', value: String(limit + DEAD_LETTER_HEADROOM_BYTES) }];
    created.push(
      ...(await ensureTopics(admin, [retry], { ...settings, partitions: outboundPartitions }, () => configEntries)),
    );
  }
  const deadLetters = relayTopics(layout).filter(
    (topic) => topic !== layout.auditTopic && !retries.includes(topic) && !primaries.includes(topic),
  );
  const existing = new Set(await admin.listTopics());
  // Only when there is a dead-letter topic to create; a principal without DescribeConfigs rights gets the
  // broker's default for them, as before this sizing existed, rather than a relay that cannot start.
  const limits = deadLetters.every((topic) => existing.has(topic))
    ? new Map<string, number>()
    : await maxMessageBytes(admin, primaries).catch(() => new Map<string, number>());
  const deadLetterConfig = new Map<string, ITopicConfig['configEntries']>();
  for (const topic of primaries) {
    const limit = limits.get(topic);
    if (limit === undefined) continue;
    const configEntries = [{ name: 'max.message.bytes', value: String(limit + DEAD_LETTER_HEADROOM_BYTES) }];
    deadLetterConfig.set(deadLetterTopic(topic), configEntries);
    deadLetterConfig.set(parkedTopic(deadLetterTopic(topic)), configEntries);
  }
  created.push(...(await ensureTopics(admin, deadLetters, settings, (topic) => deadLetterConfig.get(topic))));
  const audit = await ensureTopics(admin, [layout.auditTopic], { ...settings, partitions: AUDIT_TOPIC_PARTITIONS });
  return [...created, ...audit];
}

export async function partitionCount(admin: Admin, topic: string): Promise<number> {
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0]?.partitions.length ?? 0;
}

/** Each topic's max.message.bytes (the broker's default where the topic sets none). */
export async function maxMessageBytes(admin: Admin, topics: readonly string[]): Promise<Map<string, number>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: kafkajs.ConfigResourceTypes.TOPIC,
      name,
      configNames: ['max.message.bytes'],
    })),
  });
  const limits = new Map<string, number>();
  for (const resource of resources) {
    const value = Number(resource.configEntries.find((entry) => entry.configName === 'max.message.bytes')?.configValue);
    if (Number.isSafeInteger(value) && value > 0) limits.set(resource.resourceName, value);
  }
  return limits;
}

/** Creates the missing topics; returns the names it created. Safe to race with another instance. */
export async function ensureTopics(
  admin: Admin,
  topics: readonly string[],
  settings: TopicSettings,
  configOf: (topic: string) => ITopicConfig['configEntries'] = () => undefined,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic));
  if (missing.length === 0) return [];
  // createTopics resolves false (not an error) when another instance created them first.
  // kafkajs waits for leaders by default and gives up on KRaft's transient UNKNOWN_TOPIC_OR_PARTITION.
  await admin.createTopics({
    waitForLeaders: false,
    topics: missing.map((topic) => {
      const configEntries = configOf(topic);
      return {
        topic,
        numPartitions: settings.partitions,
        replicationFactor: settings.replication,
        ...(configEntries === undefined ? {} : { configEntries }),
      };
    }),
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
