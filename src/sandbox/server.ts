/**
 * The Klaviyo sandbox: a node:http server that stands in for Klaviyo in tests, the demo and benchmarks.
 * Every request passes, in order: injected faults, authentication (401), both rate-limit windows of its
 * endpoint family (429 + Retry-After), media type (415), size (413), the OpenAPI contract in as-published
 * mode (400 naming the field), then Klaviyo's behaviour (klaviyo-routes.ts). Usable as a library
 * (`createSandbox`) or from the CLI (`klaviyo-relay sandbox`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OPERATIONS, type OperationId, type RateFamily } from '../klaviyo/contract/operations.ts';
import { loadSlice } from '../klaviyo/contract/slices.ts';
import { validateRequest } from '../klaviyo/contract/validate.ts';
import { handleAdmin } from './admin-routes.ts';
import { createFaults, type FaultEffect, type Faults } from './faults.ts';
import { errorResponse, TITLES, type SandboxResponse } from './json-api.ts';
import { emptyCounters, handleKlaviyo, type SandboxCounters } from './klaviyo-routes.ts';
import { createRateWindows, type RateWindows, type SandboxLimits, type WindowLengths } from './rate-windows.ts';
import { createSandboxStore, type SandboxStore } from './store.ts';

export interface SandboxOptions {
  readonly port?: number;
  readonly host?: string;
  /** Per-family limits; default: each operation's `x-klaviyo-ratelimit` from the OpenAPI slices. */
  readonly limits?: Partial<Record<RateFamily, SandboxLimits>>;
  /** Window lengths; Klaviyo's are 1 s and 60 s. Tests shrink them to exercise the steady window quickly. */
  readonly windows?: WindowLengths;
  /** Share of each steady window a competing integration on the same account spends (rate-windows.ts). */
  readonly competitor?: Partial<Record<RateFamily, number>>;
  /** When given, only these API keys authenticate; otherwise any `Klaviyo-API-Key …` does. */
  readonly apiKeys?: readonly string[];
  readonly random?: () => number;
}

export interface SandboxAdmin {
  readonly store: SandboxStore;
  readonly faults: Faults;
  readonly windows: RateWindows;
  counters(): SandboxCounters;
  reset(): void;
}

export interface Sandbox {
  readonly url: string;
  readonly port: number;
  readonly admin: SandboxAdmin;
  close(): Promise<void>;
}

/** Klaviyo caps event payloads and bulk jobs at 5 MB. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function defaultLimits(): Record<RateFamily, SandboxLimits> {
  return {
    events: loadSlice('create_event').rateLimit,
    bulk: loadSlice('bulk_create_events').rateLimit,
    profiles: loadSlice('update_profile').rateLimit,
  };
}

export async function createSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const store = createSandboxStore();
  const faults = createFaults(options.random);
  const windows = createRateWindows({ ...defaultLimits(), ...options.limits }, options.windows, options.competitor);
  let counters = emptyCounters();
  const apiKeys = options.apiKeys === undefined ? undefined : new Set(options.apiKeys);
  const admin: SandboxAdmin = {
    store,
    faults,
    windows,
    counters: () => counters,
    reset() {
      store.reset();
      faults.clear();
      windows.clear();
      counters = emptyCounters();
    },
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://sandbox');
    const method = request.method ?? 'GET';
    // Rate windows count a request when it arrives, not when its (possibly 5 MB) body has been read.
    const arrivedAt = Date.now();
    const raw = await readBody(request);
    if (url.pathname.startsWith('/__sandbox/')) {
      const body = raw.tooLarge || raw.text === '' ? undefined : safeParse(raw.text);
      send(
        response,
        handleAdmin(method, url.pathname, url.searchParams, body, {
          ...admin,
          counters: admin.counters,
          now: Date.now(),
        }),
      );
      return;
    }
    const route = matchRoute(method, url.pathname);
    if (!route) {
      send(
        response,
        errorResponse(404, [
          { code: 'not_found', title: TITLES.not_found, detail: `No route ${method} ${url.pathname}.` },
        ]),
      );
      return;
    }
    counters.requests += 1;
    const family = OPERATIONS[route.operation].family;
    const effects = faults.select(family, Date.now(), raw.text);
    const slowBody = findEffect(effects, 'slow-body');
    if (effects.length > 0) counters.faultsInjected += 1;
    const latency = findEffect(effects, 'latency');
    if (latency) await new Promise((resolve) => setTimeout(resolve, latency.ms));
    if (findEffect(effects, 'reset')) {
      counters.connectionResets += 1;
      request.socket.destroy();
      return;
    }
    const answer = klaviyoAnswer(request, route, url.searchParams, raw, findEffect(effects, 'status'), arrivedAt);
    send(response, answer, slowBody?.ms);
  }

  function klaviyoAnswer(
    request: IncomingMessage,
    route: { operation: OperationId; id?: string },
    query: URLSearchParams,
    raw: { text: string; tooLarge: boolean },
    injected: Extract<FaultEffect, { kind: 'status' }> | undefined,
    arrivedAt: number,
  ): SandboxResponse {
    if (injected) {
      return errorResponse(
        injected.status,
        [{ code: 'injected', title: TITLES.injected, detail: `Fault injected by the sandbox (${injected.status}).` }],
        injected.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(injected.retryAfterSeconds) },
      );
    }
    const key = /^Klaviyo-API-Key\s+(\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (key === undefined || (apiKeys !== undefined && !apiKeys.has(key))) {
      counters.unauthorized += 1;
      const code = key === undefined ? 'not_authenticated' : 'authentication_failed';
      return errorResponse(401, [{ code, title: TITLES[code], detail: TITLES[code] }]);
    }
    const family = OPERATIONS[route.operation].family;
    const admission = windows.admit(family, arrivedAt);
    if (!admission.admitted) {
      counters.rateLimited += 1;
      return errorResponse(
        429,
        [
          {
            code: 'throttled',
            title: TITLES.throttled,
            detail: `Request was throttled. Expected available in ${admission.retryAfterSeconds} second${admission.retryAfterSeconds === 1 ? '' : 's'}.`,
          },
        ],
        { ...admission.headers, 'retry-after': String(admission.retryAfterSeconds) },
      );
    }
    const answer = validatedAnswer(request, route, query, raw, Date.now());
    if (answer.status >= 200 && answer.status < 300) counters.accepted += 1;
    return { ...answer, headers: { ...admission.headers, ...answer.headers } };
  }

  function validatedAnswer(
    request: IncomingMessage,
    route: { operation: OperationId; id?: string },
    query: URLSearchParams,
    raw: { text: string; tooLarge: boolean },
    now: number,
  ): SandboxResponse {
    const hasBody = OPERATIONS[route.operation].hasBody;
    if (hasBody && raw.tooLarge) {
      return errorResponse(413, [
        {
          code: 'payload_too_large',
          title: TITLES.payload_too_large,
          detail: `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`,
        },
      ]);
    }
    const contentType = request.headers['content-type'] ?? '';
    if (hasBody && !/^application\/(vnd\.api\+)?json\b/i.test(contentType)) {
      return errorResponse(415, [
        {
          code: 'unsupported_media_type',
          title: TITLES.unsupported_media_type,
          detail: `Unsupported media type "${contentType}" in request; use application/vnd.api+json.`,
          source: { parameter: 'content-type' },
        },
      ]);
    }
    let body: unknown;
    if (hasBody) {
      body = safeParse(raw.text);
      if (body === INVALID_JSON) {
        counters.rejected400 += 1;
        return errorResponse(400, [
          { code: 'parse_error', title: 'Malformed request.', detail: 'JSON parse error.', source: { pointer: '/' } },
        ]);
      }
    }
    const verdict = validateRequest(route.operation, { body, headers: request.headers }, 'as-published');
    if (!verdict.ok) {
      counters.rejected400 += 1;
      return errorResponse(
        400,
        verdict.errors.map((error) =>
          error.in === 'body'
            ? {
                code: 'invalid',
                title: TITLES.invalid,
                detail: `${error.pointer || '/'}: ${error.message}`,
                source: { pointer: error.pointer || '/' },
              }
            : {
                code: 'invalid',
                title: TITLES.invalid,
                detail: `Header ${error.parameter} ${error.message}.`,
                source: { parameter: error.parameter },
              },
        ),
      );
    }
    return handleKlaviyo(route.operation, { ...(route.id === undefined ? {} : { id: route.id }), query }, body, {
      store,
      counters,
      now,
    });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        send(
          response,
          errorResponse(500, [{ code: 'error', title: 'A server error occurred.', detail: String(error) }]),
        );
      } else response.destroy();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    admin,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const ROUTES: readonly { readonly method: string; readonly pattern: RegExp; readonly operation: OperationId }[] = [
  { method: 'POST', pattern: /^\/api\/events\/?$/, operation: 'create_event' },
  { method: 'POST', pattern: /^\/api\/event-bulk-create-jobs\/?$/, operation: 'bulk_create_events' },
  { method: 'POST', pattern: /^\/api\/profile-import\/?$/, operation: 'create_or_update_profile' },
  { method: 'GET', pattern: /^\/api\/profiles\/?$/, operation: 'get_profiles' },
  { method: 'GET', pattern: /^\/api\/profiles\/([^/]+)\/?$/, operation: 'get_profile' },
  { method: 'PATCH', pattern: /^\/api\/profiles\/([^/]+)\/?$/, operation: 'update_profile' },
];

function matchRoute(method: string, path: string): { operation: OperationId; id?: string } | undefined {
  for (const route of ROUTES) {
    const match = route.method === method ? route.pattern.exec(path) : null;
    if (match)
      return { operation: route.operation, ...(match[1] === undefined ? {} : { id: decodeURIComponent(match[1]) }) };
  }
  return undefined;
}

function findEffect<K extends FaultEffect['kind']>(effects: readonly FaultEffect[], kind: K) {
  return effects.find((effect): effect is Extract<FaultEffect, { kind: K }> => effect.kind === kind);
}

async function readBody(request: IncomingMessage): Promise<{ text: string; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk);
  }
  return { text: tooLarge ? '' : Buffer.concat(chunks).toString('utf8'), tooLarge };
}

const INVALID_JSON = Symbol('invalid JSON');

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return INVALID_JSON;
  }
}

function send(response: ServerResponse, answer: SandboxResponse, slowBodyMs?: number): void {
  const payload = answer.body === undefined ? '' : JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...(payload === '' ? {} : { 'content-type': 'application/vnd.api+json' }),
    ...answer.headers,
  });
  if (slowBodyMs === undefined) {
    response.end(payload);
    return;
  }
  // A slow body: headers now, the body in two halves a delay apart (exercises the client's body timeout).
  response.flushHeaders();
  const half = Math.floor(payload.length / 2);
  response.write(payload.slice(0, half));
  setTimeout(() => response.end(payload.slice(half)), slowBodyMs);
}
