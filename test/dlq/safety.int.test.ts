// The dlq operations cannot hurt (issue 16): on the real broker, a purge of a topic that is not a
// dead-letter topic is refused and deletes nothing; --all with filters is refused; a dry run changes
// nothing; a missing topic is NOT_FOUND and audits nothing; an operation that changes nothing audits nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRelayError } from '../../src/errors.ts';
import { NO_FILTER } from '../../src/dlq/filter.ts';
import { executeReplay, previewReplay, purge, readAudit, selectDeadLetters } from '../../src/dlq/operations.ts';
import { snapshotTopic } from '../../src/dlq/topic-reader.ts';
import { createTopics, uniqueName } from '../support/kafka-test-kit.ts';
import { avroValue, deadLetterHeaders } from './fixtures.ts';
import { createDlqWorld, produce, type DlqWorld } from './support.ts';

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return isRelayError(error) ? error.code : `not a RelayError: ${String(error)}`;
  }
}

async function bounds(world: DlqWorld, topic: string): Promise<{ low: number; high: number }> {
  const snapshot = await snapshotTopic(world.admin, topic);
  const partitions = snapshot?.partitions ?? [];
  return {
    low: partitions.reduce((sum, partition) => sum + partition.low, 0),
    high: partitions.reduce((sum, partition) => sum + partition.high, 0),
  };
}

describe('dlq operations that cannot hurt', () => {
  let world: DlqWorld;
  let domainTopic: string;

  beforeAll(async () => {
    world = await createDlqWorld(1);
    domainTopic = uniqueName('probe.prod.events');
    await createTopics(world.kafka, [domainTopic], 1);
    const messages = Array.from({ length: 3 }, (_, index) => ({
      key: `key-${index}`,
      value: avroValue(1_000 + index, `body-${index}`),
      partition: 0,
      headers: deadLetterHeaders({ originalTopic: world.sourceTopic }, String(index)),
    }));
    await produce(world.kafka, domainTopic, messages);
    await produce(world.kafka, world.dlqTopic, messages);
  });

  afterAll(async () => {
    await world.close();
  });

  it('refuses to purge, replay or park a topic that is not a dead-letter topic; deletes nothing', async () => {
    const ctx = world.context();
    const filter = { ...NO_FILTER, codes: ['NO_SUCH_CODE'], keys: ['nobody'] };
    expect(await codeOf(purge(ctx, domainTopic, filter, true))).toBe('USAGE_INVALID');
    expect(await codeOf(purge(ctx, domainTopic, NO_FILTER, true))).toBe('USAGE_INVALID');
    expect(await codeOf(purge(ctx, domainTopic, NO_FILTER, false))).toBe('USAGE_INVALID');
    expect(await codeOf(previewReplay(ctx, { mode: 'replay', dlqTopic: domainTopic, filter: NO_FILTER }))).toBe(
      'USAGE_INVALID',
    );
    expect(await codeOf(previewReplay(ctx, { mode: 'park', dlqTopic: domainTopic, filter: NO_FILTER }))).toBe(
      'USAGE_INVALID',
    );
    expect(await bounds(world, domainTopic)).toEqual({ low: 0, high: 3 });
    expect(await readAudit(ctx)).toEqual([]);
  });

  it('refuses --all with filters even on a dead-letter topic; a dry run counts and changes nothing', async () => {
    const ctx = world.context();
    expect(await codeOf(purge(ctx, world.dlqTopic, { ...NO_FILTER, codes: ['NO_SUCH_CODE'] }, true))).toBe(
      'USAGE_INVALID',
    );
    const dryAll = await purge(ctx, world.dlqTopic, NO_FILTER, true, { dryRun: true });
    expect(dryAll).toMatchObject({ purged: 3, dryRun: true, audit: undefined });
    const dryFiltered = await purge(ctx, world.dlqTopic, { ...NO_FILTER, keys: ['key-1'] }, false, { dryRun: true });
    expect(dryFiltered).toMatchObject({ purged: 1, dryRun: true, audit: undefined });
    expect(await bounds(world, world.dlqTopic)).toEqual({ low: 0, high: 3 });
    expect((await selectDeadLetters(ctx, world.dlqTopic, NO_FILTER)).selected).toHaveLength(3);
    expect(await readAudit(ctx)).toEqual([]);
  });

  it('an operation that changes nothing writes no audit record', async () => {
    const ctx = world.context();
    const nothing = { ...NO_FILTER, codes: ['NO_SUCH_CODE'] };
    expect(await purge(ctx, world.dlqTopic, nothing, false)).toMatchObject({ purged: 0, audit: undefined });
    const preview = await previewReplay(ctx, { mode: 'replay', dlqTopic: world.dlqTopic, filter: nothing });
    const outcome = await executeReplay(ctx, preview.plan);
    expect(outcome).toMatchObject({ started: undefined, audit: undefined, run: { completed: true, replayed: 0 } });
    expect(await readAudit(ctx)).toEqual([]);
  });

  it('a missing topic is NOT_FOUND for every operation and writes no audit record', async () => {
    const ctx = world.context();
    const missing = `${uniqueName('no.such.topic')}.dlq`;
    expect(await codeOf(selectDeadLetters(ctx, missing, NO_FILTER))).toBe('NOT_FOUND');
    expect(await codeOf(purge(ctx, missing, NO_FILTER, false))).toBe('NOT_FOUND');
    expect(await codeOf(purge(ctx, missing, NO_FILTER, true))).toBe('NOT_FOUND');
    expect(await codeOf(previewReplay(ctx, { mode: 'replay', dlqTopic: missing, filter: NO_FILTER }))).toBe(
      'NOT_FOUND',
    );
    expect(
      await codeOf(
        previewReplay(ctx, { mode: 'replay', dlqTopic: world.dlqTopic, filter: NO_FILTER, to: `${missing}.x` }),
      ),
    ).toBe('NOT_FOUND');
    expect(await readAudit(ctx)).toEqual([]);
  });

  it('--force lets an operator purge a topic that is not a dead-letter topic, audited', async () => {
    const ctx = world.context();
    const forced = await purge(ctx, domainTopic, NO_FILTER, true, { force: true });
    expect(forced).toMatchObject({ purged: 3, deletedFromLog: true });
    expect(forced.audit?.dlqTopic).toBe(domainTopic);
    expect(await bounds(world, domainTopic)).toEqual({ low: 3, high: 3 });
  });
});
