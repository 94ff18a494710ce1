/**
 * The HTTP client for Klaviyo: one undici Pool (keep-alive, bounded connections, connect/headers/body
 * timeouts, bounded response size) and the four calls delivery needs. The base URL comes from config only;
 * event data never builds a URL (profile ids are path-encoded). Results are data: `{ ok: true }` with what
 * Klaviyo said about its rate limits, or a RelayError carrying Klaviyo's `errors[]`. Never throws for
 * anything Klaviyo or the network does.
 */
import { Pool } from 'undici';
import type { RelayError } from '../../errors.ts';
import type { CreateEventBody, UpdateProfileBody } from '../request.ts';
import type { OperationId } from '../contract/operations.ts';
import { readRateLimitHeaders, header, type RateLimitObservation } from '../rate-limit/headers.ts';
import { errorForResponse, parseRetryAfter } from '../retry-policy.ts';
import { transportError } from './transport-errors.ts';
import type { BulkCreateEventsBody } from './bulk-body.ts';

export interface KlaviyoClientOptions {
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly revision: string;
  readonly timeoutMs: number;
  readonly maxConnections: number;
  /** Klaviyo's answers are small JSON:API documents; anything bigger is not one. Default 1 MiB. */
  readonly maxResponseBytes?: number;
  readonly now?: () => number;
}

export type KlaviyoResult<T> =
  | { readonly ok: true; readonly status: number; readonly rateLimit: RateLimitObservation; readonly value: T }
  | { readonly ok: false; readonly error: RelayError; readonly rateLimit: RateLimitObservation };

export type ProfileLookup = { readonly field: 'external_id' | 'email'; readonly value: string };

export interface KlaviyoClient {
  createEvent(body: CreateEventBody): Promise<KlaviyoResult<undefined>>;
  bulkCreateEvents(body: BulkCreateEventsBody): Promise<KlaviyoResult<{ readonly jobId: string | undefined }>>;
  updateProfile(profileId: string, body: UpdateProfileBody): Promise<KlaviyoResult<undefined>>;
  /** Ids of the profiles whose `field` equals `value` (Get Profiles with `filter=equals(…)`). */
  getProfiles(lookup: ProfileLookup): Promise<KlaviyoResult<{ readonly ids: readonly string[] }>>;
  close(): Promise<void>;
}

const JSON_API = 'application/vnd.api+json';
const NO_RATE_LIMIT: RateLimitObservation = { policies: [] };

export function createKlaviyoClient(options: KlaviyoClientOptions): KlaviyoClient {
  const now = options.now ?? Date.now;
  const pool = new Pool(options.baseUrl, {
    connections: options.maxConnections,
    keepAliveTimeout: 30_000,
    connectTimeout: options.timeoutMs,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    maxResponseSize: options.maxResponseBytes ?? 1024 * 1024,
  });
  const baseHeaders = {
    authorization: `Klaviyo-API-Key ${options.apiKey}`,
    revision: options.revision,
    accept: JSON_API,
  };

  async function call(
    operation: OperationId,
    method: 'GET' | 'POST' | 'PATCH',
    path: string,
    body: unknown,
  ): Promise<KlaviyoResult<unknown>> {
    let response;
    try {
      response = await pool.request({
        method,
        path,
        headers: body === undefined ? baseHeaders : { ...baseHeaders, 'content-type': JSON_API },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      return { ok: false, error: transportError(operation, error), rateLimit: NO_RATE_LIMIT };
    }
    const headers = response.headers;
    const retryAfter = header(headers, 'retry-after');
    const retryAfterMs = parseRetryAfter(retryAfter, now());
    const rateLimit: RateLimitObservation = {
      ...readRateLimitHeaders(headers),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
    let parsed: unknown;
    try {
      const text = await response.body.text();
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch (error) {
      // A 2xx with an unreadable body still happened; anything else is reported with the transport error.
      if (response.statusCode >= 200 && response.statusCode < 300) parsed = undefined;
      else return { ok: false, error: transportError(operation, error), rateLimit };
    }
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return { ok: true, status: response.statusCode, rateLimit, value: parsed };
    }
    return {
      ok: false,
      error: errorForResponse(operation, { status: response.statusCode, body: parsed, retryAfter }, now()),
      rateLimit,
    };
  }

  return {
    async createEvent(body) {
      const result = await call('create_event', 'POST', '/api/events', body);
      return result.ok ? { ...result, value: undefined } : result;
    },
    async bulkCreateEvents(body) {
      const result = await call('bulk_create_events', 'POST', '/api/event-bulk-create-jobs', body);
      return result.ok ? { ...result, value: { jobId: resourceId(result.value) } } : result;
    },
    async updateProfile(profileId, body) {
      const result = await call('update_profile', 'PATCH', `/api/profiles/${encodeURIComponent(profileId)}`, body);
      return result.ok ? { ...result, value: undefined } : result;
    },
    async getProfiles(lookup) {
      const query = new URLSearchParams({
        filter: `equals(${lookup.field},${filterString(lookup.value)})`,
        'fields[profile]': 'email,external_id',
      });
      const result = await call('get_profiles', 'GET', `/api/profiles?${query.toString()}`, undefined);
      return result.ok ? { ...result, value: { ids: resourceIds(result.value) } } : result;
    },
    close: () => pool.close(),
  };
}

/** A string literal in Klaviyo's filter syntax: double-quoted, with `\` and `"` escaped. */
export function filterString(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function resourceId(document: unknown): string | undefined {
  const data = typeof document === 'object' && document !== null ? (document as { data?: unknown }).data : undefined;
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function resourceIds(document: unknown): string[] {
  const data = typeof document === 'object' && document !== null ? (document as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) return [];
  return data.flatMap((item: unknown) => {
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
    return typeof id === 'string' ? [id] : [];
  });
}
