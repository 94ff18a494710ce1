// The dead-letter console in headless Chromium, on the whole relay: real broker and registry, the Klaviyo
// sandbox, poison records the pipeline itself dead-letters. As in test/dlq/replay.e2e.test.ts, "the bug" is
// configuration: a relay without the reset links' host in RELAY_RESET_LINK_HOSTS dead-letters the Reset
// Password events (stage validate); undecodable bytes are dead-lettered at stage decode. After the fix the
// console replays one reset (dry run first, then the typed confirmation) and it reaches the sandbox.
// Screenshots of every page land in test/console/results/.
import type { Browser, Page } from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { DomainEvent } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';
import { readAudit, type DlqContext } from '../../src/dlq/operations.ts';
import { createSchemaReader } from '../../src/dlq/schema-names.ts';
import { readSnapshot, snapshotTopic } from '../../src/dlq/topic-reader.ts';
import type { DeadLetterRecord } from '../../src/dlq/record-view.ts';
import { createReplayJobs } from '../../src/console/replay-state.ts';
import { startConsoleServer, type ConsoleServer } from '../../src/console/server.ts';
import { startRelay, type RunningRelay } from '../../src/main.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { testKafka } from '../support/kafka-test-kit.ts';
import { publish, quietLogger, relayConfig, relayEnv, uniqueLayout, until } from '../e2e/relay-harness.ts';
import { launchBrowser, RESULTS_DIR } from './browser.ts';

const TOKEN = `console-test-${randomUUID()}`;
const ACTOR = 'console:e2e';
const kafka = testKafka('console-e2e');
const admin = kafka.admin();
const layout = uniqueLayout('console');
const sourceDlq = `${layout.sourceTopic}.dlq`;
const FIXED = randomUUID();
const KEPT = randomUUID();
const POISON = Buffer.from('this is not Avro at all');

let sandbox: Sandbox;
let relay: RunningRelay | undefined;
let consoleServer: ConsoleServer;
let browser: Browser;
let page: Page;
let config: Config;
/** Every URL the browser asked for: the console must need nothing from elsewhere (offline, no CDN). */
const requested: string[] = [];

function resetEvent(eventId: string): DomainEvent {
  const example = loadExample('PasswordResetRequested');
  const occurredAt = Date.now() - 60_000;
  return {
    ...example,
    data: {
      ...example.data,
      eventId,
      occurredAt,
      resetLink: `https://www.website.com/reset/${eventId}?token=s3cr3t-${eventId}`,
      resetLinkExpiresAt: occurredAt + 3_600_000,
    },
  } as DomainEvent;
}

async function readAll(topic: string): Promise<DeadLetterRecord[]> {
  const snapshot = await snapshotTopic(admin, topic);
  const records: DeadLetterRecord[] = [];
  if (snapshot !== undefined) await readSnapshot(kafka, snapshot, (record) => records.push(record));
  return records;
}

const arrived = (id: string): number => sandbox.admin.store.events.filter((event) => event.uniqueId === id).length;

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: `${RESULTS_DIR}${name}.png`, fullPage: true });
}

async function auditNow(): Promise<Awaited<ReturnType<typeof readAudit>>> {
  return readAudit(context([]));
}

function context(command: readonly string[]): DlqContext {
  return {
    kafka,
    admin,
    config,
    schemas: createSchemaReader(config),
    now: () => Date.now(),
    actor: ACTOR,
    host: 'e2e',
    command,
    progress: { write: () => undefined, isTTY: false },
  };
}

/** A form POST from outside the browser (no session, or a session with a foreign Origin). */
async function post(
  path: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${consoleServer.url}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

function statusWithHost(host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${consoleServer.url}/`, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', reject).end();
  });
}

async function signIn(): Promise<void> {
  await page.goto(`${consoleServer.url}/signin?next=/`);
  await page.type('#token', TOKEN);
  await Promise.all([page.waitForNavigation(), page.click('form.confirm button[type="submit"]')]);
  await shot('signed-in');
}

beforeAll(async () => {
  sandbox = await createSandbox({ port: 0, host: '127.0.0.1', apiKeys: ['pk_e2egoodkey0123456789'] });
  await admin.connect();
  const env = { ...relayEnv(layout, sandbox.url), RELAY_FRESHNESS_WINDOWS: 'Shipping Update=2d' };
  config = relayConfig(env);
  const broken = await startRelay(relayConfig({ ...env, RELAY_RESET_LINK_HOSTS: 'login.example.org' }), {
    logger: quietLogger,
  });
  try {
    await publish(layout.sourceTopic, [resetEvent(FIXED), POISON, resetEvent(KEPT)]);
    await until(async () => (await readAll(sourceDlq)).length >= 3, 60_000, 'three dead letters');
  } finally {
    await broken.stop();
  }
  relay = await startRelay(config, { logger: quietLogger });
  consoleServer = await startConsoleServer(
    {
      context,
      token: TOKEN,
      jobs: createReplayJobs(),
      metricsUrl: `${relay.httpUrl}/metrics`,
    },
    { host: '127.0.0.1', port: 0 },
  );
  browser = await launchBrowser();
  page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await consoleServer?.close();
  await relay?.stop();
  await admin.disconnect();
  await sandbox?.close();
});

describe('the dead-letter console in a real browser', () => {
  it('the overview lists the poison records the pipeline dead-lettered, with counts by code, stage and type', async () => {
    await page.goto(`${consoleServer.url}/`);
    const row = await page.$eval(`a[href="/topics/${encodeURIComponent(sourceDlq)}"]`, (link) => {
      const cells = link.closest('tr')?.querySelectorAll('td') ?? [];
      return [...cells].map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim() ?? '');
    });
    expect(row[0]).toBe('3');
    expect(row[2]).toMatch(/VALIDATION_FAILED 2/);
    expect(row[3]).toMatch(/validate 2/);
    expect(row[3]).toMatch(/decode 1/);
    expect(row[4]).toMatch(/PasswordResetRequested 2/);
    const chart = await page.$eval(`section.chart-box svg`, (svg) => svg.getAttribute('aria-label'));
    expect(chart).toMatch(new RegExp(`${sourceDlq.replace(/\./g, '\\.')}: 3 dead letters`));
    await shot('overview');
  });

  it('the list applies the CLI filters', async () => {
    await page.goto(`${consoleServer.url}/topics/${encodeURIComponent(sourceDlq)}?stage=validate`);
    const keys = await page.$$eval('table.records tbody tr td:nth-child(2)', (cells) =>
      cells.map((cell) => cell.textContent?.trim()),
    );
    expect(keys.sort()).toEqual([FIXED, KEPT].sort());
    await page.goto(`${consoleServer.url}/topics/${encodeURIComponent(sourceDlq)}`);
    expect(await page.$$eval('table.records tbody tr', (rows) => rows.length)).toBe(3);
    await shot('list');
  });

  it('a detail page decodes the value through the registry with its reset link redacted', async () => {
    await page.goto(`${consoleServer.url}/topics/${encodeURIComponent(sourceDlq)}?key=${FIXED}`);
    await Promise.all([page.waitForNavigation(), page.click('table.records tbody tr a')]);
    await shot('detail');
    const value = await page.$eval('#value', (pre) => pre.textContent ?? '');
    const decoded = JSON.parse(value) as Record<string, unknown>;
    expect(decoded.eventId).toBe(FIXED);
    expect(decoded.resetLink).toBe('[REDACTED]');
    const body = await page.$eval('main', (main) => main.textContent ?? '');
    expect(body).not.toContain(`s3cr3t-${FIXED}`);
    expect(body).not.toContain(`https://www.website.com/reset/${FIXED}`);
    expect(body).toContain('relay.dlq.stage');
    expect(body).toContain('host listed in RELAY_RESET_LINK_HOSTS');
    expect(body).toMatch(new RegExp(`Came from\\s*${layout.sourceTopic.replace(/\./g, '\\.')}/0@`));
    // The original bytes (unredacted) are for a signed-in operator only.
    const bytesLink = await page.$eval('main a[href*="/signin?next="]', (link) => link.getAttribute('href'));
    expect(bytesLink).toMatch(/bytes/);
    await shot('detail');
  });

  it('a change without the token is refused, and so is one from another origin with a valid session', async () => {
    const noSession = await post('/actions/purge', { topic: sourceDlq, confirm: sourceDlq, expected: '3' });
    expect(noSession.status).toBe(401);
    expect(await noSession.text()).toContain('sign in with the console token first');
    const wrongToken = await post('/signin', { token: 'not-the-token', next: '/' });
    expect(wrongToken.status).toBe(401);

    const signedIn = await post('/signin', { token: TOKEN, next: '/' });
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect(signedIn.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    const purgePage = await (
      await fetch(`${consoleServer.url}/purge?topic=${encodeURIComponent(sourceDlq)}`, { headers: { cookie } })
    ).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(purgePage)?.[1] ?? '';
    expect(csrf).not.toBe('');
    const form = { csrf, topic: sourceDlq, confirm: sourceDlq, expected: '3' };
    const crossSite = await post('/actions/purge', form, {
      cookie,
      origin: 'http://evil.example',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    const noCsrf = await post('/actions/purge', { ...form, csrf: 'forged' }, { cookie });
    expect(noCsrf.status).toBe(403);
    // DNS rebinding: a page of another site reaching 127.0.0.1 under its own name.
    expect(await statusWithHost('attacker.example')).toBe(400);
    expect(await statusWithHost(new URL(consoleServer.url).host)).toBe(200);
    expect(await auditNow()).toEqual([]);
    expect(await readAll(sourceDlq)).toHaveLength(3);
  });

  it('purge is refused without the typed confirmation; with it, it is audited with the console as the actor', async () => {
    await signIn();
    await page.goto(`${consoleServer.url}/purge?topic=${encodeURIComponent(sourceDlq)}&stage=decode`);
    expect(await page.$eval('#purge-summary', (p) => p.textContent?.trim())).toMatch(/^1 dead letter would be purged/);
    expect(await page.$eval('form.confirm button[type="submit"]', (button) => button.hasAttribute('disabled'))).toBe(
      true,
    );
    await page.type('#confirm', 'not the topic');
    await shot('purge');
    // Past the page's own check: the server is what refuses.
    await Promise.all([
      page.waitForNavigation(),
      page.$eval('form.confirm', (form) => (form as unknown as { submit(): void }).submit()),
    ]);
    expect(await page.$eval('[role="alert"]', (box) => box.textContent)).toMatch(
      /purge cannot be undone: type the topic name/,
    );
    expect(await page.$eval('main a', (back) => back.getAttribute('href'))).toBe(
      `/purge?topic=${encodeURIComponent(sourceDlq)}&stage=decode`,
    );
    await shot('purge-refused');
    expect((await auditNow()).filter((record) => record.operation === 'purge')).toEqual([]);

    await page.goto(`${consoleServer.url}/purge?topic=${encodeURIComponent(sourceDlq)}&stage=decode`);
    await page.type('#confirm', sourceDlq);
    await Promise.all([page.waitForNavigation(), page.click('form.confirm button[type="submit"]')]);
    const purges = (await auditNow()).filter((record) => record.operation === 'purge');
    expect(purges).toEqual([
      expect.objectContaining({
        actor: ACTOR,
        dlqTopic: sourceDlq,
        counts: { purged: 1 },
        filter: { stage: ['decode'] },
        command: ['console', 'dlq', 'purge', sourceDlq, '--stage', 'decode', '--yes'],
      }),
    ]);
    expect(await page.$eval('table.audit tbody', (body) => body.textContent)).toContain('purge');
    await shot('audit');
  });

  it('shows a signed-in operator the original bytes, exactly as they are in Kafka', async () => {
    const original = (await readAll(sourceDlq)).find((record) => record.key?.toString() === KEPT);
    await page.goto(`${consoleServer.url}/topics/${encodeURIComponent(sourceDlq)}?key=${KEPT}`);
    await Promise.all([page.waitForNavigation(), page.click('table.records tbody tr a')]);
    expect(await page.$eval('dl.facts', (facts) => facts.textContent)).toContain(
      `value ${original?.value?.length ?? -1} bytes`,
    );
    await Promise.all([page.waitForNavigation(), page.click('main a[href$="/bytes"]')]);
    const base64 = await page.$eval('pre.mono', (pre) => pre.textContent?.trim());
    expect(base64).toBe(original?.value?.toString('base64'));
    await shot('bytes');
  });

  it('dry run, then the confirmed replay moves the fixed record back and it reaches the sandbox', async () => {
    const sourceBefore = (await readAll(layout.sourceTopic)).length;
    await page.goto(`${consoleServer.url}/topics/${encodeURIComponent(sourceDlq)}?key=${FIXED}`);
    await Promise.all([page.waitForNavigation(), page.click('nav.actions a[href^="/replay?"]')]);
    await shot('replay-plan');
    expect(await page.$eval('#plan-summary', (p) => p.textContent?.replace(/\s+/g, ' '))).toMatch(
      /Would replay 1 selected: 1 replayed, 0 parked, 0 left/,
    );
    const action = await page.$eval('table.plan tbody tr td:last-child', (cell) =>
      cell.textContent?.replace(/\s+/g, ' ').trim(),
    );
    expect(action).toBe(`→ ${layout.sourceTopic}`);
    await shot('replay-plan');
    // The dry run wrote nothing.
    expect(await readAll(layout.sourceTopic)).toHaveLength(sourceBefore);
    expect(arrived(FIXED)).toBe(0);

    await page.type('#confirm', sourceDlq);
    await Promise.all([page.waitForNavigation(), page.click('form.confirm button[type="submit"]')]);
    expect(page.url()).toMatch(/\/replays\/r\d{8}-\d{6}-[0-9a-f]{6}$/);
    // The page follows the replay by itself and reloads when it ends.
    await page.waitForSelector('#replay-status[data-state="completed"]', { timeout: 60_000 });
    await until(() => arrived(FIXED) >= 1, 60_000, 'the replayed reset at the sandbox');
    expect(arrived(FIXED)).toBe(1);
    expect(arrived(KEPT)).toBe(0);

    // After a reload the state comes from Kafka (plan, audit, committed offsets), not from the browser.
    await page.reload();
    expect(await page.$eval('#state', (state) => state.textContent)).toBe('completed');
    expect(await page.$eval('#progress-text', (text) => text.textContent)).toMatch(/^\d+ of \d+ \(100%\)$/);
    await shot('replay-status');
    const replays = (await auditNow()).filter((record) => record.operation === 'replay');
    expect(replays.map((record) => [record.status, record.actor, record.command.slice(0, 6)])).toEqual([
      ['started', ACTOR, ['console', 'dlq', 'replay', sourceDlq, '--key', FIXED]],
      ['completed', ACTOR, ['console', 'dlq', 'replay', sourceDlq, '--key', FIXED]],
    ]);
  });

  it('a park goes through the same dry run and confirmation and moves the record to .parked', async () => {
    await page.goto(`${consoleServer.url}/replay?topic=${encodeURIComponent(sourceDlq)}&key=${KEPT}&mode=park`);
    expect(await page.$eval('#plan-summary', (p) => p.textContent?.replace(/\s+/g, ' '))).toMatch(
      /Would park 1 selected: 0 replayed, 1 parked, 0 left/,
    );
    await page.type('#confirm', sourceDlq);
    await Promise.all([page.waitForNavigation(), page.click('form.confirm button[type="submit"]')]);
    await page.waitForSelector('#replay-status[data-state="completed"]', { timeout: 60_000 });
    const parked = await readAll(`${sourceDlq}.parked`);
    expect(parked.map((record) => record.key?.toString())).toEqual([KEPT]);
    expect((await auditNow()).filter((record) => record.operation === 'park').map((record) => record.status)).toEqual([
      'started',
      'completed',
    ]);
    // Purging the whole log takes no filters, whatever a crafted form says.
    const csrf = await page.$eval('form[action="/signout"] input[name="csrf"]', (input) => input.getAttribute('value'));
    const crafted = await page.evaluate(
      async (form) => {
        const answer = await fetch('/actions/purge', { method: 'POST', body: new URLSearchParams(form) });
        return [answer.status, await answer.text()] as const;
      },
      { csrf: csrf ?? '', topic: sourceDlq, confirm: sourceDlq, all: 'on', key: KEPT, expected: '0' },
    );
    expect(crafted[0]).toBe(400);
    expect(crafted[1]).toContain('takes no filters');
    expect(await readAll(sourceDlq)).toHaveLength(3);
  });

  it('the replays, audit and delivery views render from the audit topic and the relay metrics', async () => {
    await page.goto(`${consoleServer.url}/replays`);
    expect(await page.$$eval('table.records tbody tr', (rows) => rows.length)).toBe(2);
    await shot('replays');
    await page.goto(`${consoleServer.url}/delivery`);
    const lanes = await page.$$eval('table.lanes tbody tr', (rows) =>
      rows.map((row) => row.textContent?.replace(/\s+/g, ' ').trim()),
    );
    expect(lanes.map((lane) => lane?.split(' ')[0])).toEqual(['create', 'bulk', 'profile']);
    expect(lanes[0]).toContain(`${config.klaviyo.rateLimits.events.perSecond}/s burst`);
    const answered = await page.$$eval('table.records', (tables) =>
      [...tables]
        .filter((table) => table.querySelector('caption')?.textContent?.includes('Requests Klaviyo answered'))
        .flatMap((table) =>
          [...table.querySelectorAll('tbody tr')].map((row) => row.textContent?.replace(/\s+/g, ' ').trim()),
        ),
    );
    // The replayed reset was delivered: the relay's own counter says so.
    expect(answered.some((row) => row !== undefined && /202/.test(row))).toBe(true);
    expect(await page.$eval('main', (main) => main.textContent)).toContain('Delivery is not halted');
    await shot('delivery');
    await page.goto(`${consoleServer.url}/`);
    await shot('overview-after');
  });

  it('every page loads only from the console, labels every field, and starts with a skip link for the keyboard', async () => {
    const pages = [
      '/',
      `/topics/${encodeURIComponent(sourceDlq)}`,
      `/replay?topic=${encodeURIComponent(sourceDlq)}&key=${KEPT}`,
      `/purge?topic=${encodeURIComponent(sourceDlq)}`,
      '/audit',
      '/replays',
      '/delivery',
      '/signin',
    ];
    for (const path of pages) {
      await page.goto(`${consoleServer.url}${path}`);
      const unlabelled = await page.$$eval('input:not([type="hidden"]), select', (fields) =>
        fields
          .filter((input) => input.id === '' || input.ownerDocument.querySelector(`label[for="${input.id}"]`) === null)
          .map((input) => input.outerHTML),
      );
      expect(unlabelled, path).toEqual([]);
      expect(await page.$eval('html', (root) => root.getAttribute('lang')), path).toBe('en');
      expect(await page.$$eval('main h1', (headings) => headings.length), path).toBe(1);
      await page.keyboard.press('Tab');
      expect(await page.$eval(':focus', (focused) => focused.textContent), path).toBe('Skip to content');
    }
    const elsewhere = requested.filter((url) => !url.startsWith(`${consoleServer.url}/`));
    expect(elsewhere).toEqual([]);
    expect(requested.some((url) => url.endsWith('/static/console.css'))).toBe(true);
  });
});
