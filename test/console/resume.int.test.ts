// A replay started in the console survives the console: stopped halfway (the console shut down), a new
// console shows it interrupted with its progress, read from Kafka (saved plan, audit, committed offsets),
// and resumes it; every record is replayed once. Real broker; no browser needed for this one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { readAudit, type DlqContext } from '../../src/dlq/operations.ts';
import { readSnapshot, snapshotTopic } from '../../src/dlq/topic-reader.ts';
import { createReplayJobs } from '../../src/console/replay-state.ts';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.ts';
import { createDlqWorld, produce, type DlqWorld } from '../dlq/support.ts';
import { deadLetterHeaders } from '../dlq/fixtures.ts';
import { until } from '../support/until.ts';

const TOKEN = 'resume-test-token-0123456789';
const RECORDS = 6;
let world: DlqWorld;
let config: Config;

function context(command: readonly string[]): DlqContext {
  return { ...world.context('console:resume'), config, command };
}

async function startConsole(): Promise<ConsoleServer> {
  return startConsoleServer(
    { context, token: TOKEN, jobs: createReplayJobs(), metricsUrl: 'http://127.0.0.1:9/metrics' },
    { host: '127.0.0.1', port: 0 },
  );
}

/** A signed-in operator's client: session cookie, and form posts with our own Origin. */
async function operator(server: ConsoleServer): Promise<{
  get(path: string): Promise<string>;
  post(path: string, form: Record<string, string>): Promise<Response>;
}> {
  const origin = server.url;
  const signIn = await fetch(`${origin}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({ token: TOKEN, next: '/' }).toString(),
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return {
    get: async (path) => (await fetch(`${origin}${path}`, { headers: { cookie } })).text(),
    post: (path, form) =>
      fetch(`${origin}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin,
          cookie,
          'sec-fetch-site': 'same-origin',
        },
        body: new URLSearchParams(form).toString(),
      }),
  };
}

const field = (page: string, name: string): string =>
  new RegExp(`name="${name}"\\s+value="([^"]*)"`).exec(page)?.[1] ?? '';

async function status(
  server: ConsoleServer,
  replayId: string,
): Promise<{ state: string; done: number; total: number }> {
  return (await (await fetch(`${server.url}/replays/${replayId}.json`)).json()) as {
    state: string;
    done: number;
    total: number;
  };
}

async function countSource(): Promise<number> {
  const snapshot = await snapshotTopic(world.admin, world.sourceTopic);
  let count = 0;
  if (snapshot !== undefined) await readSnapshot(world.kafka, snapshot, () => (count += 1));
  return count;
}

beforeAll(async () => {
  world = await createDlqWorld(1);
  const loaded = loadConfig({ ...world.env, RELAY_SOURCE_TOPICS: world.sourceTopic });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  config = loaded.config;
  await produce(
    world.kafka,
    world.dlqTopic,
    Array.from({ length: RECORDS }, (_, index) => ({
      key: `k${index}`,
      value: Buffer.from(`{"n":${index}}`),
      headers: deadLetterHeaders({ originalTopic: world.sourceTopic, stage: 'project' }, String(index)),
      partition: 0,
    })),
  );
});

afterAll(async () => {
  await world.close();
});

describe('a console replay after the console stopped', () => {
  it('shows as interrupted with its progress in a new console, and resumes to the end, each record once', async () => {
    const first = await startConsole();
    let replayId = '';
    try {
      const client = await operator(first);
      const plan = await client.get(`/replay?topic=${encodeURIComponent(world.dlqTopic)}&rate=1`);
      expect(plan).toContain(`Would replay ${RECORDS} selected`);
      replayId = field(plan, 'id');
      const started = await client.post('/actions/replay', {
        csrf: field(plan, 'csrf'),
        fingerprint: field(plan, 'fingerprint'),
        id: replayId,
        topic: world.dlqTopic,
        rate: '1',
        confirm: world.dlqTopic,
      });
      expect(started.status).toBe(303);
      expect(started.headers.get('location')).toBe(`/replays/${replayId}`);
      await until(async () => (await status(first, replayId)).done >= 2, 30_000, 'two records replayed');
    } finally {
      // The console shuts down: the replay stops after its chunk in flight.
      await first.close();
    }

    const second = await startConsole();
    try {
      const interrupted = await status(second, replayId);
      expect(interrupted.state).toBe('interrupted');
      expect(interrupted.total).toBe(RECORDS);
      expect(interrupted.done).toBeGreaterThanOrEqual(2);
      expect(interrupted.done).toBeLessThan(RECORDS);
      expect(await countSource()).toBe(interrupted.done);
      const client = await operator(second);
      const page = await client.get(`/replays/${replayId}`);
      expect(page).toContain(`Resume ${replayId}`);
      const resumed = await client.post('/actions/resume', { csrf: field(page, 'csrf'), id: replayId });
      expect(resumed.status).toBe(303);
      await until(async () => (await status(second, replayId)).state === 'completed', 60_000, 'the resumed replay');
      expect(await status(second, replayId)).toMatchObject({ done: RECORDS, total: RECORDS });
      expect(await countSource()).toBe(RECORDS);
    } finally {
      await second.close();
    }
    const audit = (await readAudit(context([]))).filter((record) => record.replayId === replayId);
    expect(audit.map((record) => [record.status, record.actor, record.command[0], record.options['resumed']])).toEqual([
      ['started', 'console:resume', 'console', false],
      ['started', 'console:resume', 'console', true],
      ['completed', 'console:resume', 'console', true],
    ]);
    expect(audit[2]?.counts).toMatchObject({ selected: RECORDS, replayed: RECORDS });
  });
});
