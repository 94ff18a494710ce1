/**
 * The console's HTTP server (node:http, like src/observability/health.ts): routes to the pages, the guard
 * in front of every change, and the dead-letter operations of src/dlq behind them. Server-rendered HTML;
 * the one script only follows a running replay and checks confirmations as they are typed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseFilter } from '../dlq/filter.ts';
import {
  previewReplay,
  purge,
  readAudit,
  selectDeadLetters,
  type DlqContext,
  type ReplayPreview,
} from '../dlq/operations.ts';
import { parseReplayOptions, replayRequestOf } from '../dlq/replay-options.ts';
import { REPLAY_ID_PATTERN, type ReplayPlan } from '../dlq/replay-plan.ts';
import { RelayError } from '../errors.ts';
import { redactText } from '../observability/redact.ts';
import { deliveryView, parseMetrics, type LaneLimit, type Scrape } from './delivery.ts';
import type { Config } from '../config/config.ts';
import { allowedHosts, createGuard, SESSION_COOKIE, type Guard, type RequestFacts, type Verdict } from './guard.ts';
import type { Html } from './html.ts';
import { secretsOf } from '../config/config.ts';
import { auditTrail, detail, filterFrom, findRecord, isConsoleTopic, listing, overview } from './model.ts';
import { detailPage, bytesPage } from './pages/detail.ts';
import type { PageContext } from './pages/layout.ts';
import { listPage } from './pages/list.ts';
import { auditPage, deliveryPage, messagePage, purgePage, signInPage } from './pages/other.ts';
import { overviewPage } from './pages/overview.ts';
import { replayPlanPage, replayStatusPage, replaysPage } from './pages/replay.ts';
import { filterArgs, filterOptionsFrom, filterQuery, includeHandledFrom } from './query.ts';
import type { ReplayJobs } from './replay-state.ts';

export interface ConsoleDeps {
  /** A dlq context whose audit records name the console as the actor and `command` as what was done. */
  readonly context: (command: readonly string[]) => DlqContext;
  /** The token that signs an operator in (printed at start, or RELAY_CONSOLE_TOKEN). */
  readonly token: string;
  readonly jobs: ReplayJobs;
  /** The relay's /metrics, for the delivery view. */
  readonly metricsUrl: string;
}

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

const STATIC: Readonly<Record<string, { readonly type: string; readonly body: Buffer }>> = {
  '/static/console.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./static/console.css', import.meta.url)),
  },
  '/static/console.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('./static/console.js', import.meta.url)),
  },
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on our own form posts.
  'referrer-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
};

const MAX_FORM_BYTES = 64 * 1024;

class HttpProblem extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export async function startConsoleServer(
  deps: ConsoleDeps,
  listen: { readonly host: string; readonly port: number },
): Promise<ConsoleServer> {
  let lastScrape: Scrape | undefined;
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status =
        error instanceof HttpProblem
          ? error.status
          : error instanceof RelayError || error instanceof URIError
            ? 400
            : 500;
      const message = redactText(error instanceof Error ? error.message : String(error), {
        secrets: secretsOf(deps.context([]).config),
      });
      if (!response.headersSent)
        send(
          response,
          status,
          messagePage(
            pageContext(request, '/error'),
            status === 500 ? 'Something failed' : 'Refused',
            message,
            refererPath(request),
          ),
        );
      else response.end();
    });
  });

  const facts = (request: IncomingMessage): RequestFacts => ({
    method: request.method ?? 'GET',
    host: request.headers.host,
    origin: request.headers.origin,
    secFetchSite: header(request, 'sec-fetch-site'),
    cookie: request.headers.cookie,
  });
  const pageContext = (request: IncomingMessage, path: string | undefined): PageContext => {
    const session = guard.session(request.headers.cookie);
    return { csrf: session === undefined ? undefined : guard.csrfFor(session), path: path ?? '/' };
  };
  const refuse = (verdict: Verdict): void => {
    if (!verdict.ok) throw new HttpProblem(verdict.status, verdict.reason);
  };
  const requireTopic = (ctx: DlqContext, topic: string): void => {
    if (!isConsoleTopic(ctx.config, topic))
      throw new HttpProblem(404, `${topic} is not one of the relay's dead-letter or parked topics`);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://console');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    refuse(guard.checkHost(facts(request)));
    const context = pageContext(request, `${path}${url.search}`);
    const staticFile = STATIC[path];
    if (method === 'GET' && staticFile !== undefined) {
      response
        .writeHead(200, { ...SECURITY_HEADERS, 'content-type': staticFile.type, 'cache-control': 'max-age=300' })
        .end(staticFile.body);
      return;
    }
    if (method === 'POST') return handlePost(request, response, path);
    if (method !== 'GET' && method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD, POST' }).end();
      return;
    }
    const ctx = deps.context([]);
    const params = url.searchParams;
    if (path === '/') return send(response, 200, overviewPage(context, await overview(ctx)));
    const record = /^\/topics\/([^/]+)\/records\/(\d+)\/(\d+)(\/bytes)?$/.exec(path);
    if (record !== null) {
      const topic = decodeURIComponent(record[1] ?? '');
      const [partition, offset] = [Number(record[2]), Number(record[3])];
      requireTopic(ctx, topic);
      if (record[4] !== undefined) {
        if (context.csrf === undefined)
          throw new HttpProblem(401, 'the original bytes are not redacted: sign in with the console token first');
        const found = await findRecord(ctx, topic, partition, offset);
        if (found === undefined) throw new HttpProblem(404, `no record ${partition}@${offset} in ${topic}`);
        return send(response, 200, bytesPage(context, topic, partition, offset, found.view.record.value));
      }
      const shown = await detail(ctx, topic, partition, offset);
      if (shown === undefined) throw new HttpProblem(404, `no record ${partition}@${offset} in ${topic}`);
      return send(response, 200, detailPage(context, topic, shown));
    }
    const topicMatch = /^\/topics\/([^/]+)$/.exec(path);
    if (topicMatch !== null) {
      const topic = decodeURIComponent(topicMatch[1] ?? '');
      requireTopic(ctx, topic);
      const result = await listing(ctx, topic, params);
      return send(
        response,
        result.ok ? 200 : 400,
        listPage(context, topic, params, result.ok ? result.value : { error: result.message }),
      );
    }
    if (path === '/replay') {
      const topic = params.get('topic') ?? '';
      requireTopic(ctx, topic);
      const mode = params.get('mode') === 'park' ? 'park' : 'replay';
      const planned = await plan(ctx, mode, topic, params, undefined);
      return send(
        response,
        'error' in planned ? 400 : 200,
        replayPlanPage(context, {
          topic,
          mode,
          params,
          preview: 'error' in planned ? planned : planned.preview,
          fingerprint: 'error' in planned ? undefined : fingerprint(planned.preview.plan),
        }),
      );
    }
    if (path === '/replays') return send(response, 200, replaysPage(context, (await readAudit(ctx)).reverse()));
    const replayMatch = /^\/replays\/([^/]+?)(\.json)?$/.exec(path);
    if (replayMatch !== null) {
      const replayId = decodeURIComponent(replayMatch[1] ?? '');
      if (!REPLAY_ID_PATTERN.test(replayId)) throw new HttpProblem(404, 'no such replay');
      const status = await deps.jobs.status(ctx, replayId);
      if (replayMatch[2] !== undefined) {
        const { state, done, total, log, error } = status;
        response
          .writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' })
          .end(JSON.stringify({ state, done, total, log, error: error ?? null }));
        return;
      }
      return send(response, 200, replayStatusPage(context, status));
    }
    if (path === '/purge') {
      const topic = params.get('topic') ?? '';
      requireTopic(ctx, topic);
      const filter = filterFrom(params, ctx.now());
      const selection = filter.ok ? await selectDeadLetters(ctx, topic, filter.value) : undefined;
      return send(
        response,
        filter.ok ? 200 : 400,
        purgePage(context, {
          topic,
          params,
          selected: (selection?.selected ?? []).map((view) => ({
            partition: view.record.partition,
            offset: view.offset,
            key: view.key,
            code: view.info.errorCode,
          })),
          filtered: [...filterQuery(params)].length > 0,
          error: filter.ok ? undefined : filter.message,
        }),
      );
    }
    if (path === '/audit') {
      const topic = params.get('topic') ?? undefined;
      return send(response, 200, auditPage(context, topic, await auditTrail(ctx, topic === '' ? undefined : topic)));
    }
    if (path === '/delivery') {
      try {
        const answer = await fetch(deps.metricsUrl, { signal: AbortSignal.timeout(3_000) });
        if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
        const scrape: Scrape = { at: Date.now(), samples: parseMetrics(await answer.text()) };
        const view = deliveryView(scrape, lastScrape, laneLimits(deps.context([]).config));
        lastScrape = scrape;
        return send(response, 200, deliveryPage(context, deps.metricsUrl, view));
      } catch (error) {
        return send(
          response,
          200,
          deliveryPage(context, deps.metricsUrl, { error: error instanceof Error ? error.message : String(error) }),
        );
      }
    }
    if (path === '/signin') return send(response, 200, signInPage(context, safeNext(params.get('next')), undefined));
    throw new HttpProblem(404, `nothing at ${path}`);
  }

  async function handlePost(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    const form = await readForm(request);
    const requestFacts = facts(request);
    if (path === '/signin') {
      refuse(guard.checkOrigin(requestFacts));
      const next = safeNext(form.get('next'));
      const session = guard.signIn(form.get('token') ?? '');
      if (session === undefined)
        return send(response, 401, signInPage(pageContext(request, '/signin'), next, 'That is not the console token.'));
      response
        .writeHead(303, {
          ...SECURITY_HEADERS,
          location: next,
          'set-cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`,
        })
        .end();
      return;
    }
    refuse(guard.checkChange(requestFacts, form.get('csrf') ?? undefined));
    if (path === '/signout') {
      guard.signOut(guard.session(request.headers.cookie));
      response
        .writeHead(303, {
          ...SECURITY_HEADERS,
          location: '/',
          'set-cookie': `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`,
        })
        .end();
      return;
    }
    if (path === '/actions/replay') {
      const topic = form.get('topic') ?? '';
      const mode = form.get('mode') === 'park' ? 'park' : 'replay';
      const replayId = form.get('id') ?? '';
      const base = deps.context([]);
      requireTopic(base, topic);
      if (form.get('confirm') !== topic)
        throw new HttpProblem(400, `not confirmed: type the topic name ${topic} exactly to ${mode}`);
      const ctx = deps.context(['console', 'dlq', mode, topic, ...replayArgs(form), '--id', replayId]);
      const planned = await plan(ctx, mode, topic, form, replayId);
      if ('error' in planned) throw new HttpProblem(400, planned.error);
      if (fingerprint(planned.preview.plan) !== form.get('fingerprint'))
        throw new HttpProblem(409, 'the selection changed since the dry run: review the new dry run before confirming');
      deps.jobs.start(ctx, planned.preview.plan, planned.ratePerSecond);
      response.writeHead(303, { ...SECURITY_HEADERS, location: `/replays/${encodeURIComponent(replayId)}` }).end();
      return;
    }
    if (path === '/actions/resume') {
      const replayId = form.get('id') ?? '';
      if (!REPLAY_ID_PATTERN.test(replayId)) throw new HttpProblem(400, 'no such replay');
      deps.jobs.resume(deps.context(['console', 'dlq', 'replay', '--resume', replayId]), replayId);
      response.writeHead(303, { ...SECURITY_HEADERS, location: `/replays/${encodeURIComponent(replayId)}` }).end();
      return;
    }
    if (path === '/actions/purge') {
      const topic = form.get('topic') ?? '';
      const all = form.get('all') === 'on';
      requireTopic(deps.context([]), topic);
      // The CLI refuses a purge without --yes; here typing the topic name is that --yes.
      if (form.get('confirm') !== topic)
        throw new HttpProblem(400, `purge cannot be undone: type the topic name ${topic} exactly to confirm`);
      const ctx = deps.context([
        'console',
        'dlq',
        'purge',
        topic,
        ...filterArgs(form),
        ...(all ? ['--all'] : []),
        '--yes',
      ]);
      const filter = parseFilter(filterOptionsFrom(form), ctx.now());
      if (!filter.ok) throw new HttpProblem(400, filter.message);
      if (!all) {
        const current = await selectDeadLetters(ctx, topic, filter.value);
        if (String(current.selected.length) !== form.get('expected'))
          throw new HttpProblem(
            409,
            `the selection changed since the page was shown (${current.selected.length} now): review it again`,
          );
      }
      const result = await purge(ctx, topic, filter.value, all);
      response
        .writeHead(303, {
          ...SECURITY_HEADERS,
          location: `/audit?topic=${encodeURIComponent(topic)}&purged=${result.purged}`,
        })
        .end();
      return;
    }
    throw new HttpProblem(404, `nothing to post at ${path}`);
  }

  async function plan(
    ctx: DlqContext,
    mode: 'replay' | 'park',
    topic: string,
    params: URLSearchParams,
    replayId: string | undefined,
  ): Promise<
    { readonly preview: ReplayPreview; readonly ratePerSecond: number | undefined } | { readonly error: string }
  > {
    const parsed = parseReplayOptions(
      mode,
      topic,
      {
        ...filterOptionsFrom(params),
        ...(mode === 'replay' && nonEmpty(params.get('to')) !== undefined ? { to: nonEmpty(params.get('to')) } : {}),
        ...(mode === 'replay' ? { backfill: params.get('backfill') === 'on' } : {}),
        ...(mode === 'replay' && nonEmpty(params.get('max-age')) !== undefined
          ? { maxAge: nonEmpty(params.get('max-age')) }
          : {}),
        ...(mode === 'replay' && nonEmpty(params.get('rate')) !== undefined
          ? { rate: nonEmpty(params.get('rate')) }
          : {}),
        ...(replayId === undefined ? {} : { id: replayId }),
      },
      ctx.now(),
    );
    if (!parsed.ok) return { error: parsed.message };
    if (parsed.value.kind !== 'start') return { error: 'give a dead-letter topic' };
    const invocation = parsed.value;
    const preview = await previewReplay(
      ctx,
      replayRequestOf(mode, invocation, { includeHandled: includeHandledFrom(params) }),
    );
    return { preview, ratePerSecond: invocation.ratePerSecond };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // Built once the port is bound (the Host check needs the real port when 0 was asked for); the handlers
  // above use it only for requests, which come after this.
  const guard: Guard = createGuard({ token: deps.token, hosts: allowedHosts(listen.host, address.port) });
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: async () => {
      await deps.jobs.stopAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** Binds a confirmation to the dry run it confirms: the records selected and what happens to them. */
export function fingerprint(plan: ReplayPlan): string {
  const { mode, dlqTopic, selected, counts, to, backfill, maxAgeMs } = plan;
  return createHash('sha256')
    .update(JSON.stringify({ mode, dlqTopic, selected, counts, to, backfill, maxAgeMs }))
    .digest('base64url');
}

/** The lanes the dispatcher sends on and the rate family each one spends (src/klaviyo). */
function laneLimits(config: Config): LaneLimit[] {
  const { events, bulk, profiles } = config.klaviyo.rateLimits;
  return [
    { lane: 'create', family: 'events', ...events },
    { lane: 'bulk', family: 'bulk', ...bulk },
    { lane: 'profile', family: 'profiles', ...profiles },
  ];
}

function replayArgs(form: URLSearchParams): string[] {
  return [
    ...filterArgs(form),
    ...(nonEmpty(form.get('to')) === undefined ? [] : ['--to', form.get('to') ?? '']),
    ...(form.get('backfill') === 'on' ? ['--backfill'] : []),
    ...(nonEmpty(form.get('max-age')) === undefined ? [] : ['--max-age', form.get('max-age') ?? '']),
    ...(nonEmpty(form.get('rate')) === undefined ? [] : ['--rate', form.get('rate') ?? '']),
  ];
}

function nonEmpty(value: string | null): string | undefined {
  return value === null || value.trim() === '' ? undefined : value.trim();
}

/** Only our own paths: a sign-in link cannot send the operator elsewhere. */
function safeNext(next: string | null | undefined): string {
  return next !== null && next !== undefined && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\')
    ? next
    : '/';
}

/** The page a refused form came from, when it is one of ours: the way back to it. */
function refererPath(request: IncomingMessage): string | undefined {
  try {
    const referer = new URL(request.headers.referer ?? '');
    return referer.host === request.headers.host ? safeNext(`${referer.pathname}${referer.search}`) : undefined;
  } catch {
    return undefined;
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded'))
    throw new HttpProblem(415, 'changes are sent as a form (application/x-www-form-urlencoded)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new HttpProblem(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(response: ServerResponse, status: number, body: Html): void {
  response.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(body.__html);
}
