/** Per-run names: topics, groups and subjects of one benchmark run never meet another run's. */
import type { Admin } from 'kafkajs';
import { DEFAULT_TOPICS } from '../../src/domain/topics.ts';
import type { DomainEvent } from '../../src/domain/events.ts';

export function newRunId(): string {
  return Date.now().toString(36);
}

export function benchPrefix(bench: string, runId: string): string {
  return `bench.${bench}.${runId}.`;
}

export function topicOf(prefix: string): (event: DomainEvent) => string {
  return (event) => `${prefix}${DEFAULT_TOPICS[event.type]}`;
}

/** Deletes every topic of this run (source, outbound, dead-letter, audit): the broker's disk is shared. */
export async function deleteRunTopics(admin: Admin, prefix: string): Promise<number> {
  const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
  return topics.length;
}
