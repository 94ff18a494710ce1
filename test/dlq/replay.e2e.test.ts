// The dlq tool with the whole relay (startRelay), the real broker and registry, and the Klaviyo sandbox.
// "The bug" is real configuration: the relay first runs with RELAY_RESET_LINK_HOSTS not listing the reset
// links' host, so the pipeline itself dead-letters the Reset Password events (stage validate). After the
// fix (the right host, a restart), a replay heals them: the sandbox records each once; a second replay of
// the same records duplicates nothing; a 3-day-old reset arrives with backfill; a record that still fails
// comes back through the pipeline with its replay count and ends in `.parked` after N replays.
import type { Kafka } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventEncoder, createRegistryClient } from '../../src/codec/index.ts';
import type { Config } from '../../src/config/config.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { NO_FILTER, type DlqFilter } from '../../src/dlq/filter.ts';
import {
  executeReplay,
  previewReplay,
  readAudit,
  type DlqContext,
  type ReplayOutcome,
} from '../../src/dlq/operations.ts';
import { createSchemaReader } from '../../src/dlq/schema-names.ts';
import { formatReplaySummary } from '../../src/dlq/summary.ts';
import { readSnapshot, snapshotTopic } from '../../src/dlq/topic-reader.ts';
import type { DeadLetterRecord } from '../../src/dlq/record-view.ts';
import { startRelay, type RunningRelay } from '../../src/main.ts';
import { buildDeadLetterHeaders, headerText } from '../../src/pipeline/dead-letter/headers.ts';
import { toOutboundMessage } from '../../src/pipeline/outbound-record.ts';
import { createProjectionContext } from '../../src/projection/context.ts';
import { project } from '../../src/projection/project.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import type { SandboxEvent } from '../../src/sandbox/store.ts';
import { testEndpoints, testKafka } from '../support/kafka-test-kit.ts';
import { GOOD_KEY, quietLogger, relayConfig, relayEnv, uniqueLayout, until } from '../e2e/relay-harness.ts';

const DAY = 86_400_000;
const kafka: Kafka = testKafka('dlq-e2e');
const layout = uniqueLayout('dlq');
const sourceDlq = `${layout.sourceTopic}.dlq`;
const outboundDlq = `${layout.outboundTopic}.dlq`;
let sandbox: Sandbox;
let fixedEnv: Record<string, string>;
let config: Config;
let relay: RunningRelay | undefined;
let ctx: DlqContext;
const admin = kafka.admin();

/** A Reset Password event with its own id, time and link host (keyed by its event id when published). */
function resetEvent(eventId: string, occurredAt: number, host = 'www.website.com'): DomainEvent {
  const example = loadExample('PasswordResetRequested');
  return {
    ...example,
    data: {
      ...example.data,
      eventId,
      occurredAt,
      resetLink: `https://${host}/reset/${eventId}`,
      resetLinkExpiresAt: occurredAt + 3_600_000,
    },
  } as DomainEvent;
}

async function publish(events: readonly DomainEvent[]): Promise<void> {
  const encoder = createEventEncoder({ registry: createRegistryClient({ url: testEndpoints().schemaRegistryUrl }) });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    const messages = [];
    for (const event of events)
      messages.push({ key: event.data.eventId, value: (await encoder.encode(event, layout.sourceTopic)).value });
    await producer.send({ topic: layout.sourceTopic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

async function readAll(topic: string): Promise<DeadLetterRecord[]> {
  const snapshot = await snapshotTopic(admin, topic);
  const records: DeadLetterRecord[] = [];
  if (snapshot !== undefined) await readSnapshot(kafka, snapshot, (record) => records.push(record));
  return records;
}

/** Sandbox events whose unique_id is one of `ids` (Reset Password's unique_id is the event id). */
function arrived(ids: readonly string[]): SandboxEvent[] {
  return sandbox.admin.store.events.filter((event) => ids.includes(event.uniqueId));
}

function keys(...ids: string[]): DlqFilter {
  return { ...NO_FILTER, keys: ids };
}

async function replay(
  topic: string,
  filter: DlqFilter,
  options: { backfill?: boolean; maxAgeMs?: number; includeHandled?: boolean } = {},
): Promise<{ outcome: ReplayOutcome; summary: string }> {
  const preview = await previewReplay(ctx, { mode: 'replay', dlqTopic: topic, filter, ...options });
  const outcome = await executeReplay(ctx, preview.plan);
  return { outcome, summary: formatReplaySummary(outcome, preview) };
}

const now = Date.now();
// Event ids are UUIDs (the validator insists); the records are keyed by them, so --key selects them.
const FRESH: string[] = [randomUUID(), randomUUID()];
const OLD: string = randomUUID();
const HOSTILE: string = randomUUID();

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: [GOOD_KEY] });
  await admin.connect();
  // No freshness window for Reset Password here: a 3-day-old reset is backfilled only because the replay
  // asks for it (--max-age), which is what this test is about. The projection's own window is unit-tested.
  fixedEnv = {
    ...relayEnv(layout, sandbox.url),
    RELAY_FRESHNESS_WINDOWS: 'Shipping Update=2d',
    RELAY_MAX_REPLAYS: '3',
  };
  config = relayConfig(fixedEnv);
  ctx = {
    kafka,
    admin,
    config,
    schemas: createSchemaReader(config),
    now: () => Date.now(),
    actor: 'on-call',
    host: 'e2e',
    command: ['dlq', 'replay'],
    progress: { write: () => undefined, isTTY: false },
  };

  // The bug: the reset links' host is not allowed, so the pipeline dead-letters every reset (validate).
  const broken = await startRelay(relayConfig({ ...fixedEnv, RELAY_RESET_LINK_HOSTS: 'login.example.org' }), {
    logger: quietLogger,
  });
  try {
    await publish([
      resetEvent(FRESH[0]!, now - 60_000),
      resetEvent(FRESH[1]!, now - 60_000),
      resetEvent(OLD, now - 3 * DAY),
      resetEvent(HOSTILE, now - 60_000, 'phish.example.net'),
    ]);
    await until(async () => (await readAll(sourceDlq)).length >= 4, 60_000, 'four validate dead letters');
  } finally {
    await broken.stop();
  }
  // The fix: the right host; the relay restarts with it.
  relay = await startRelay(config, { logger: quietLogger });
}, 120_000);

afterAll(async () => {
  await relay?.stop();
  await admin.disconnect();
  await sandbox.close();
});

describe('dead-letter replay through the whole relay', () => {
  it('the pipeline dead-lettered the resets at stage validate, and nothing reached Klaviyo', async () => {
    const letters = await readAll(sourceDlq);
    expect(letters.map((record) => record.key?.toString()).sort()).toEqual([...FRESH, HOSTILE, OLD].sort());
    for (const letter of letters) {
      expect(headerText(letter.headers, 'relay.dlq.stage')).toBe('validate');
      expect(headerText(letter.headers, 'relay.dlq.error.message')).toMatch(/host listed in RELAY_RESET_LINK_HOSTS/);
      expect(headerText(letter.headers, 'relay.dlq.original.topic')).toBe(layout.sourceTopic);
    }
    expect(arrived([...FRESH, OLD, HOSTILE])).toEqual([]);
  });

  it('a dry run shows what would be replayed and changes nothing', async () => {
    const sourceBefore = await readAll(layout.sourceTopic);
    const preview = await previewReplay(ctx, { mode: 'replay', dlqTopic: sourceDlq, filter: keys(...FRESH) });
    expect(preview.plan.counts).toEqual({ selected: 2, replay: 2, park: 0, unroutable: 0 });
    expect(preview.records.map((record) => record.decision.kind === 'replay' && record.decision.topic)).toEqual([
      layout.sourceTopic,
      layout.sourceTopic,
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await readAll(layout.sourceTopic)).toHaveLength(sourceBefore.length);
    expect(await readAudit(ctx)).toEqual([]);
    expect(arrived(FRESH)).toEqual([]);
  });

  it('after the fix, replay heals the dead letters: the sandbox receives each once, in real time', async () => {
    const { outcome } = await replay(sourceDlq, keys(...FRESH));
    expect(outcome.run).toMatchObject({ completed: true, replayed: 2, parked: 0 });
    await until(
      async () => {
        const failedAgain = (await readAll(sourceDlq)).filter(
          (record) => FRESH.includes(record.key?.toString() ?? '') && headerText(record.headers, 'relay.replay.id'),
        );
        if (failedAgain.length > 0)
          throw new Error(`not healed: ${headerText(failedAgain[0]?.headers, 'relay.dlq.error.message') ?? ''}`);
        return arrived(FRESH).length >= 2;
      },
      60_000,
      'healed resets at the sandbox',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const events = arrived(FRESH);
    expect(events.map((event) => event.uniqueId).sort()).toEqual([...FRESH].sort());
    expect(events.every((event) => event.metric === 'Reset Password' && event.attributes.backfill === undefined)).toBe(
      true,
    );
    expect(events.every((event) => event.lane === 'create')).toBe(true);
  });

  it('replaying the same records again duplicates nothing at Klaviyo, and the summary says so', async () => {
    const duplicatesBefore = sandbox.admin.store.duplicates.length;
    const { outcome, summary } = await replay(sourceDlq, keys(...FRESH), { includeHandled: true });
    expect(outcome.run).toMatchObject({ completed: true, replayed: 2 });
    await until(
      () => sandbox.admin.store.duplicates.length >= duplicatesBefore + 2,
      60_000,
      'the second replay reaching the sandbox',
    );
    expect(arrived(FRESH)).toHaveLength(2);
    expect(
      sandbox.admin.store.duplicates
        .slice(duplicatesBefore)
        .map((duplicate) => duplicate.uniqueId)
        .sort(),
    ).toEqual([...FRESH].sort());
    expect(summary).toMatch(/2 of them had been replayed, parked or purged before: .*not duplicated/);
  });

  it('a 3-day-old reset replayed with --max-age goes through the projector and arrives with backfill', async () => {
    const preview = await previewReplay(ctx, {
      mode: 'replay',
      dlqTopic: sourceDlq,
      filter: keys(OLD),
      maxAgeMs: DAY,
    });
    expect(preview.records.map((record) => record.decision.kind === 'replay' && record.decision.backfilled)).toEqual([
      true,
    ]);
    const outcome = await executeReplay(ctx, preview.plan);
    expect(outcome.run).toMatchObject({ completed: true, replayed: 1, backfilled: 1 });
    await until(() => arrived([OLD]).length >= 1, 60_000, 'the old reset at the sandbox');
    const [event] = arrived([OLD]);
    expect(event?.attributes.backfill).toBe(true);
    // Backfilled requests leave the real-time lane: nobody waits for a message that will not be sent.
    const requests = (await readAll(layout.outboundTopic)).filter((record) =>
      record.value?.toString().includes(`"unique_id":"${OLD}"`),
    );
    expect(requests.map((record) => JSON.parse(record.value?.toString() ?? '{}') as { realtime: boolean })).toEqual([
      expect.objectContaining({ realtime: false }),
    ]);
  });

  it('a delivery dead letter (a 3-day-old Reset Password request) replayed with --max-age arrives with backfill', async () => {
    const eventId = randomUUID();
    const occurredAt = now - 3 * DAY;
    // The request as the projector built it when it was fresh (3 days ago), then rejected by Klaviyo.
    const contextAt = createProjectionContext(config, undefined);
    const projected = project(resetEvent(eventId, occurredAt), contextAt(occurredAt + 60_000));
    if (!projected.ok) throw projected.error;
    const [request] = projected.requests;
    if (request?.kind !== 'create-event') throw new Error('expected a Create Event request');
    expect(request.realtime).toBe(true);
    expect(request.body.data.attributes.backfill).toBeUndefined();
    const message = toOutboundMessage(request);
    const failedAt = new Date(occurredAt + 120_000);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({
      topic: outboundDlq,
      acks: -1,
      messages: [
        {
          key: message.key ?? null,
          value: message.value ?? null,
          headers: buildDeadLetterHeaders(message.headers, {
            originalTopic: layout.outboundTopic,
            originalPartition: 0,
            originalOffset: '0',
            originalTimestamp: String(failedAt.getTime()),
            consumerGroup: layout.dispatcherGroup,
            stage: 'deliver',
            errorCode: 'KLAVIYO_REJECTED',
            errorMessage: 'Klaviyo answered 422',
            errorDetail: { status: 422 },
            attempts: 1,
            firstFailedAt: failedAt,
            failedAt,
            serviceVersion: 'e2e',
          }),
        },
      ],
    });
    await producer.disconnect();

    const { outcome } = await replay(outboundDlq, NO_FILTER, { maxAgeMs: DAY });
    expect(outcome.run).toMatchObject({ completed: true, replayed: 1, backfilled: 1 });
    await until(() => arrived([eventId]).length >= 1, 60_000, 'the replayed request at the sandbox');
    expect(arrived([eventId]).map((event) => [event.metric, event.attributes.backfill])).toEqual([
      ['Reset Password', true],
    ]);
  });

  it('a record that keeps failing comes back with its replay count and is parked after N replays', async () => {
    const maxReplays = config.relay.maxReplays;
    for (let round = 1; round <= maxReplays; round += 1) {
      const { outcome } = await replay(sourceDlq, keys(HOSTILE));
      expect(outcome.run, `round ${round}`).toMatchObject({ completed: true, replayed: 1, parked: 0 });
      // The fixed relay still refuses this link's host: the pipeline dead-letters it again, counting.
      await until(
        async () =>
          (await readAll(sourceDlq)).some(
            (record) =>
              record.key?.toString() === HOSTILE && headerText(record.headers, 'relay.replay.count') === String(round),
          ),
        60_000,
        `dead letter after replay ${round}`,
      );
    }
    const again = (await readAll(sourceDlq)).filter((record) => record.key?.toString() === HOSTILE);
    expect(again.map((record) => headerText(record.headers, 'relay.replay.count') ?? '0')).toEqual(
      Array.from({ length: maxReplays + 1 }, (_, index) => String(index)),
    );
    expect(again.every((record) => headerText(record.headers, 'relay.dlq.stage') === 'validate')).toBe(true);

    const { outcome } = await replay(sourceDlq, keys(HOSTILE));
    expect(outcome.run).toMatchObject({ completed: true, replayed: 0, parked: 1 });
    const parked = await readAll(`${sourceDlq}.parked`);
    expect(parked.map((record) => [record.key?.toString(), headerText(record.headers, 'relay.replay.count')])).toEqual([
      [HOSTILE, String(maxReplays)],
    ]);
    expect(headerText(parked[0]?.headers, 'relay.dlq.parked.reason')).toMatch(/failed again after 3 replays/);
    expect(arrived([HOSTILE])).toEqual([]);
  });

  it('the audit topic holds a started and a completed record per replay, and nothing else', async () => {
    const audit = await readAudit(ctx);
    // dry run: none; heal, re-replay, old reset, delivery dead letter, N failing rounds, the parking one.
    const operations = 4 + config.relay.maxReplays + 1;
    expect(audit).toHaveLength(2 * operations);
    const byReplay = new Map<string, string[]>();
    for (const record of audit) {
      expect(record).toMatchObject({ operation: 'replay', actor: 'on-call' });
      byReplay.set(record.replayId ?? '', [...(byReplay.get(record.replayId ?? '') ?? []), record.status]);
    }
    expect([...byReplay.values()]).toEqual(Array.from({ length: operations }, () => ['started', 'completed']));
  });
});
