// What a scenario asserts on at the end: what Klaviyo (the sandbox) recorded against what the projection
// says it must record, and what ended in the dead-letter topics and why.
import type { Kafka } from 'kafkajs';
import { expect } from 'vitest';
import { deadLetterTopic } from '../../../src/pipeline/source-record.ts';
import type { SandboxLimits } from '../../../src/sandbox/rate-windows.ts';
import type { Sandbox } from '../../../src/sandbox/server.ts';
import { createSandbox } from '../../../src/sandbox/server.ts';
import { KNOWN_API_KEY } from './traffic.ts';

const GENEROUS: SandboxLimits = { perSecond: 100_000, perMinute: 10_000_000 };

/** The sandbox with the suite's key and limits far above the relay's own (KLAVIYO_RATE_* in relay-process.ts). */
export function faultSandbox(): Promise<Sandbox> {
  return createSandbox({
    port: 0,
    host: '127.0.0.1',
    apiKeys: [KNOWN_API_KEY],
    limits: { events: GENEROUS, bulk: GENEROUS, profiles: GENEROUS },
  });
}

export interface DeliveryFigures {
  readonly expected: number;
  readonly recorded: number;
  readonly lost: number;
  /** Recorded twice under one (profile, metric, unique_id): what Klaviyo must never do for us. */
  readonly duplicatesRecorded: number;
  /** Redeliveries Klaviyo (the sandbox) recognised and rejected as already recorded. */
  readonly duplicatesAbsorbed: number;
  readonly unexpected: number;
  /**
   * Requests the relay sent again (events and profile PATCHes), from the sandbox's raw ledger: what a crash
   * or an ambiguous failure costs in Klaviyo's rate budget, although its dedup keeps the data right.
   */
  readonly rawDuplicates: number;
}

/** `expected` holds `metric|unique_id` per Klaviyo event the projection says the traffic must produce. */
export function deliveryFigures(sandbox: Sandbox, expected: readonly string[]): DeliveryFigures {
  const events = sandbox.admin.store.events;
  const identities = events.map((event) => `${event.profileId}|${event.metric}|${event.uniqueId}`);
  const got = new Set(events.map((event) => `${event.metric}|${event.uniqueId}`));
  const wanted = new Set(expected);
  const requests = sandbox.admin.store.requests;
  return {
    expected: expected.length,
    recorded: events.length,
    lost: [...wanted].filter((key) => !got.has(key)).length,
    duplicatesRecorded: identities.length - new Set(identities).size,
    duplicatesAbsorbed: sandbox.admin.store.duplicates.length,
    unexpected: [...got].filter((key) => !wanted.has(key)).length,
    rawDuplicates: requests.length - new Set(requests.map((request) => request.identity)).size,
  };
}

/** The dispatcher's settings the re-send bound follows from (src/pipeline/dispatcher/dispatcher.ts defaults). */
export const DISPATCH_LIMITS = {
  commitIntervalMs: 1_000,
  /** Most requests in flight per partition (a wave) times the partitions worked on at once. */
  inFlight: 50 * 3,
} as const;

/**
 * The most requests a relay may send again after `disruptions` crashes or ownership changes: what it
 * delivered since its last commit (at most one commit interval at the peak delivery rate) plus what was
 * in flight, per disruption. RELIABILITY.md states this bound.
 */
export function resendBound(disruptions: number, peakPerSecond: number): number {
  return (
    disruptions * (Math.ceil((peakPerSecond * DISPATCH_LIMITS.commitIntervalMs) / 1000) + DISPATCH_LIMITS.inFlight)
  );
}

/** The most requests the sandbox accepted in any one second (events and PATCHes, before dedup). */
export function peakRequestsPerSecond(sandbox: Sandbox): number {
  const times = sandbox.admin.store.requests.map((request) => request.acceptedAt).sort((a, b) => a - b);
  let peak = 0;
  let from = 0;
  for (let to = 0; to < times.length; to += 1) {
    while (times[to]! - times[from]! >= 1_000) from += 1;
    peak = Math.max(peak, to - from + 1);
  }
  return peak;
}

/**
 * What every scenario asserts: Klaviyo recorded exactly the expected events, once each, nothing else;
 * and the relay re-sent no more raw requests than `rawBound`.
 */
export function expectExactDelivery(figures: DeliveryFigures, rawBound: number): void {
  expect(figures.lost).toBe(0);
  expect(figures.unexpected).toBe(0);
  expect(figures.duplicatesRecorded).toBe(0);
  expect(figures.recorded).toBe(figures.expected);
  expect(figures.rawDuplicates).toBeLessThanOrEqual(rawBound);
}

export function hasAll(sandbox: Sandbox, expected: readonly string[]): boolean {
  if (sandbox.admin.store.events.length < expected.length) return false;
  return deliveryFigures(sandbox, expected).lost === 0;
}

export interface TopicRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Every committed record of `topic`, read from the beginning until the consumer has reached each
 * partition's end (the high watermark minus transaction markers, so "reached" is: nothing new for
 * `idleMs`).
 */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  idleMs = 2_500,
  timeoutMs = 120_000,
): Promise<TopicRecord[]> {
  const records: TopicRecord[] = [];
  const consumer = kafka.consumer({
    groupId: `faults-reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
    readUncommitted: false,
    maxWaitTimeInMs: 200,
    maxBytes: 64 * 1024 * 1024,
    maxBytesPerPartition: 16 * 1024 * 1024,
  });
  // The idle clock starts when the group is joined (a second later: the first fetch), not before.
  let last = Number.POSITIVE_INFINITY;
  consumer.on(consumer.events.GROUP_JOIN, () => {
    last = Date.now() + 1_000;
  });
  const read = async (): Promise<TopicRecord[]> => {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        last = Date.now();
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : String(value);
        }
        records.push({
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? null,
          value: message.value,
          headers,
        });
      },
    });
    while (Date.now() - last < idleMs) await new Promise((resolve) => setTimeout(resolve, 200));
    return records;
  };
  // One deadline over connecting, joining and reading: a broker that does not answer fails the scenario
  // instead of hanging it.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`reading ${topic}: not finished within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([read(), deadline]);
  } finally {
    clearTimeout(timer);
    await Promise.race([consumer.disconnect(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
}

/** Dead letters of both stages (the source topic's and the outbound topic's `.dlq`), read to the end. */
export async function deadLetteredCount(kafka: Kafka, layout: { sourceTopic: string; outboundTopic: string }) {
  return (
    (await readTopic(kafka, deadLetterTopic(layout.sourceTopic))).length +
    (await readTopic(kafka, deadLetterTopic(layout.outboundTopic))).length
  );
}
