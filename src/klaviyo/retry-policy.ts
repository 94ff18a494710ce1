/**
 * What an HTTP answer from Klaviyo means for delivery, as a table (DESIGN.md §3), plus the two timing rules
 * that go with it: Retry-After (seconds or HTTP-date, honoured in full) and full-jitter exponential backoff
 * (AWS Architecture Blog, "Exponential Backoff And Jitter"). Pure: the clock and the random source are
 * arguments, so the policy is tested as a table.
 */
import { RelayError, type RelayErrorCode } from '../errors.ts';
import { DEFAULT_BACKOFF, fullJitterDelayMs, type BackoffPolicy } from '../backoff.ts';

/** One item of Klaviyo's JSON:API `errors[]`. */
export interface KlaviyoErrorItem {
  readonly id?: string;
  readonly status?: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly source?: { readonly pointer?: string; readonly parameter?: string };
}

interface StatusRow {
  readonly code: RelayErrorCode;
  readonly summary: string;
}

/** Statuses with a meaning of their own; ranges below cover the rest. */
export const STATUS_POLICY: Readonly<Record<number, StatusRow>> = {
  400: { code: 'KLAVIYO_REJECTED', summary: 'bad request' },
  401: { code: 'KLAVIYO_UNAUTHORIZED', summary: 'missing or invalid API key' },
  403: { code: 'KLAVIYO_UNAUTHORIZED', summary: 'API key lacks the scope' },
  404: { code: 'KLAVIYO_NOT_FOUND', summary: 'no such resource' },
  408: { code: 'KLAVIYO_UNAVAILABLE', summary: 'request timeout' },
  409: { code: 'KLAVIYO_CONFLICT', summary: 'conflict' },
  422: { code: 'KLAVIYO_REJECTED', summary: 'unprocessable entity' },
  425: { code: 'KLAVIYO_UNAVAILABLE', summary: 'too early' },
  429: { code: 'KLAVIYO_RATE_LIMITED', summary: 'rate limited' },
};

/** Maps a non-2xx status to the relay's error code: the table first, then 5xx → retry, other 4xx → reject. */
export function codeForStatus(status: number): RelayErrorCode {
  const row = STATUS_POLICY[status];
  if (row) return row.code;
  if (status >= 500) return 'KLAVIYO_UNAVAILABLE';
  return 'KLAVIYO_REJECTED';
}

/**
 * Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns milliseconds to wait
 * (0 for a date in the past), or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only IMF-fixdate-like strings count as dates; Date.parse alone would accept "12.5" and other junk.
  if (!/^[A-Za-z]{3},? /.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Reads Klaviyo's `errors[]` from a response body, keeping only well-formed items. Never throws. */
export function parseKlaviyoErrors(body: unknown): KlaviyoErrorItem[] {
  if (typeof body !== 'object' || body === null || !('errors' in body) || !Array.isArray(body.errors)) return [];
  const items: KlaviyoErrorItem[] = [];
  for (const raw of body.errors as unknown[]) {
    if (typeof raw !== 'object' || raw === null) continue;
    const item = raw as Record<string, unknown>;
    const source =
      typeof item.source === 'object' && item.source !== null ? (item.source as Record<string, unknown>) : undefined;
    items.push({
      ...(typeof item.id === 'string' ? { id: item.id } : {}),
      ...(typeof item.status === 'number' ? { status: item.status } : {}),
      code: typeof item.code === 'string' ? item.code : 'unknown',
      title: typeof item.title === 'string' ? item.title : '',
      detail: typeof item.detail === 'string' ? item.detail : '',
      ...(source
        ? {
            source: {
              ...(typeof source.pointer === 'string' ? { pointer: source.pointer } : {}),
              ...(typeof source.parameter === 'string' ? { parameter: source.parameter } : {}),
            },
          }
        : {}),
    });
  }
  return items;
}

export interface ErrorResponse {
  readonly status: number;
  /** Parsed JSON body, if any. */
  readonly body: unknown;
  readonly retryAfter: string | undefined;
}

/** Turns a non-2xx answer into a RelayError carrying Klaviyo's `errors[]` and, for 429, the wait asked for. */
export function errorForResponse(operation: string, response: ErrorResponse, nowMs: number): RelayError {
  const code = codeForStatus(response.status);
  const errors = parseKlaviyoErrors(response.body);
  const first = errors[0];
  const reason = first ? `${first.title || first.code}${first.detail ? `: ${first.detail}` : ''}` : 'no error body';
  const retryAfterMs = parseRetryAfter(response.retryAfter, nowMs);
  return new RelayError(code, `Klaviyo ${operation} answered ${response.status} (${reason})`, {
    detail: { operation, status: response.status, errors },
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** The relay's one full-jitter backoff (src/backoff.ts), with its random source injected for tests. */
export interface BackoffParameters extends BackoffPolicy {
  /** Uniform in [0, 1). Injected so tests are deterministic. */
  readonly random: () => number;
}

export { DEFAULT_BACKOFF };

/** Full jitter: uniform in [0, min(cap, base·2^attempt)). `attempt` counts from 0 (the first retry). */
export function backoffDelayMs(attempt: number, parameters: BackoffParameters): number {
  return fullJitterDelayMs(attempt, parameters, parameters.random);
}

/**
 * How long to wait before retrying after `error`. A 429's Retry-After is honoured in full, never capped
 * below it (a shorter wait only earns another 429); other transient errors back off with full jitter.
 */
export function retryDelayMs(error: RelayError, attempt: number, parameters: BackoffParameters): number {
  if (error.code === 'KLAVIYO_RATE_LIMITED' && error.retryAfterMs !== undefined) return error.retryAfterMs;
  return backoffDelayMs(attempt, parameters);
}
