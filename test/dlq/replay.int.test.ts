// The dlq tool on the real broker: dead letters written with the pipeline's own header builder, then
// listed, filtered, dry-run, replayed, parked, purged and audited; a replay killed halfway resumes.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headerText } from '../../src/pipeline/dead-letter/headers.ts';
import { NO_FILTER } from '../../src/dlq/filter.ts';
import {
  executeReplay,
  previewReplay,
  purge,
  readAudit,
  resumeReplay,
  selectDeadLetters,
} from '../../src/dlq/operations.ts';
import { readSnapshot, snapshotTopic } from '../../src/dlq/topic-reader.ts';
import type { DeadLetterRecord } from '../../src/dlq/record-view.ts';
import { avroValue, deadLetterHeaders } from './fixtures.ts';
import { createDlqWorld, produce, type DlqWorld } from './support.ts';

async function readAll(world: DlqWorld, topic: string): Promise<DeadLetterRecord[]> {
  const snapshot = await snapshotTopic(world.admin, topic);
  const records: DeadLetterRecord[] = [];
  if (snapshot !== undefined) await readSnapshot(world.kafka, snapshot, (record) => records.push(record));
  return records;
}

describe('dlq replay on the real broker', () => {
  let world: DlqWorld;

  beforeAll(async () => {
    world = await createDlqWorld(2);
    // 6 projection failures (2 already replayed 3 times), 4 validation failures, over two partitions.
    const messages = Array.from({ length: 10 }, (_, index) => ({
      key: `key-${index}`,
      value: avroValue(1_000 + index, `body-${index}`),
      partition: index % 2,
      headers: deadLetterHeaders(
        {
          originalTopic: world.sourceTopic,
          stage: index < 6 ? 'project' : 'validate',
          code: index < 6 ? 'PROJECTION_FAILED' : 'VALIDATION_FAILED',
          ...(index === 4 || index === 5 ? { replayCount: 3 } : {}),
        },
        String(index),
      ),
    }));
    await produce(world.kafka, world.dlqTopic, messages);
  });

  afterAll(async () => {
    await world.close();
  });

  it('a dry run selects exactly what the filters say and writes nothing', async () => {
    const ctx = world.context();
    const all = await previewReplay(ctx, { mode: 'replay', dlqTopic: world.dlqTopic, filter: NO_FILTER });
    expect(all.plan.counts).toEqual({ selected: 10, replay: 8, park: 2, unroutable: 0 });
    const validation = await previewReplay(ctx, {
      mode: 'replay',
      dlqTopic: world.dlqTopic,
      filter: { ...NO_FILTER, codes: ['VALIDATION_FAILED'] },
    });
    expect(validation.records.map((record) => record.view.key).sort()).toEqual(['key-6', 'key-7', 'key-8', 'key-9']);
    const partitionOne = await previewReplay(ctx, {
      mode: 'replay',
      dlqTopic: world.dlqTopic,
      filter: { ...NO_FILTER, partitions: [{ from: 1, to: 1 }], limit: 2 },
    });
    expect(partitionOne.records.map((record) => record.view.key)).toEqual(['key-1', 'key-3']);
    expect(await readAll(world, world.sourceTopic)).toHaveLength(0);
    expect(await snapshotTopic(world.admin, world.config.relay.auditTopic)).toBeUndefined();
  });

  it('replays to the original topic, parks the exhausted ones, audits once, and hides what it handled', async () => {
    const ctx = world.context('alice');
    const preview = await previewReplay(ctx, {
      mode: 'replay',
      dlqTopic: world.dlqTopic,
      filter: { ...NO_FILTER, codes: ['PROJECTION_FAILED'] },
      replayId: 'first',
    });
    const outcome = await executeReplay(ctx, preview.plan);
    expect(outcome.run).toMatchObject({ completed: true, replayed: 4, parked: 2, resumed: false });
    const replayed = await readAll(world, world.sourceTopic);
    expect(replayed.map((record) => record.key?.toString()).sort()).toEqual(['key-0', 'key-1', 'key-2', 'key-3']);
    for (const record of replayed) {
      expect(headerText(record.headers, 'relay.replay.id')).toBe('first');
      expect(headerText(record.headers, 'relay.replay.count')).toBe('1');
      expect(headerText(record.headers, 'relay.dlq.error.code')).toBeUndefined();
      expect(headerText(record.headers, 'traceparent')).toBe('00-abc-def-01');
    }
    const parked = await readAll(world, `${world.dlqTopic}.parked`);
    expect(parked.map((record) => record.key?.toString()).sort()).toEqual(['key-4', 'key-5']);
    const audit = await readAudit(ctx);
    expect(audit.map((record) => record.status)).toEqual(['started', 'completed']);
    expect(audit[0]).toMatchObject({ operation: 'replay', actor: 'alice', replayId: 'first', handled: [] });
    expect(audit[1]).toMatchObject({
      operation: 'replay',
      actor: 'alice',
      replayId: 'first',
      counts: { selected: 6, replayed: 4, parked: 2 },
    });
    const remaining = await selectDeadLetters(ctx, world.dlqTopic, NO_FILTER);
    expect(remaining.selected.map((view) => view.key).sort()).toEqual(['key-6', 'key-7', 'key-8', 'key-9']);
    expect(remaining.handledSkipped).toBe(6);
    // Resuming a finished replay does nothing and audits nothing new.
    const again = await resumeReplay(ctx, 'first');
    expect(again.run).toMatchObject({ completed: true, replayed: 0 });
    expect(await readAll(world, world.sourceTopic)).toHaveLength(4);
    expect(await readAudit(ctx)).toHaveLength(2);
  });

  it('park and purge select like replay and are audited once each', async () => {
    const ctx = world.context('bob');
    const park = await previewReplay(ctx, {
      mode: 'park',
      dlqTopic: world.dlqTopic,
      filter: { ...NO_FILTER, keys: ['key-6'] },
    });
    await executeReplay(ctx, park.plan);
    const parked = await readAll(world, `${world.dlqTopic}.parked`);
    expect(parked.map((record) => record.key?.toString()).sort()).toEqual(['key-4', 'key-5', 'key-6']);
    const purged = await purge(ctx, world.dlqTopic, { ...NO_FILTER, keys: ['key-7'] }, false);
    expect(purged.purged).toBe(1);
    const remaining = await selectDeadLetters(ctx, world.dlqTopic, NO_FILTER);
    expect(remaining.selected.map((view) => view.key).sort()).toEqual(['key-8', 'key-9']);
    const audit = await readAudit(ctx);
    expect(audit.map((record) => `${record.operation}:${record.status}`)).toEqual([
      'replay:started',
      'replay:completed',
      'park:started',
      'park:completed',
      'purge:completed',
    ]);
  });
});

describe('a replay killed halfway', () => {
  let world: DlqWorld;
  const total = 600;

  beforeAll(async () => {
    world = await createDlqWorld(2);
    await produce(
      world.kafka,
      world.dlqTopic,
      Array.from({ length: total }, (_, index) => ({
        key: `key-${index}`,
        value: avroValue(1, `body-${index}`),
        partition: index % 2,
        headers: deadLetterHeaders({ originalTopic: world.sourceTopic }, String(index)),
      })),
    );
  });

  afterAll(async () => {
    await world.close();
  });

  it('resumes where it stopped and replays every record exactly once', async () => {
    const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));
    const child = spawn(cli, ['dlq', 'replay', world.dlqTopic, '--id', 'killed', '--rate', '100'], {
      env: { ...process.env, ...world.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // Let it replay a part (100/s), then kill it without warning.
    const started = Date.now();
    while (Date.now() - started < 60_000) {
      const replayedSoFar = (await readAll(world, world.sourceTopic)).length;
      if (replayedSoFar >= 100) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const before = (await readAll(world, world.sourceTopic)).length;
    expect(before, stderr).toBeGreaterThan(0);
    expect(before).toBeLessThan(total);

    const ctx = world.context();
    // The killed run is in the audit as started, not completed: visible to whoever comes next.
    expect((await readAudit(ctx)).map((record) => `${record.replayId}:${record.status}`)).toEqual(['killed:started']);
    const outcome = await resumeReplay(ctx, 'killed');
    expect(outcome.run).toMatchObject({ completed: true, resumed: true });
    expect(outcome.run.replayed).toBe(total - before);
    const replayed = await readAll(world, world.sourceTopic);
    const keys = replayed.map((record) => record.key?.toString());
    expect(keys).toHaveLength(total);
    expect(new Set(keys).size).toBe(total);
    const audit = await readAudit(ctx);
    expect(audit.map((record) => record.status)).toEqual(['started', 'started', 'completed']);
    expect(audit[1]).toMatchObject({ replayId: 'killed', options: { resumed: true } });
    expect(audit[2]).toMatchObject({ replayId: 'killed', counts: { replayed: total }, options: { resumed: true } });
  });
});
