/**
 * Reads the rate-limit headers Klaviyo sends (`RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`,
 * in the IETF draft's style: `RateLimit-Limit: 350, 350;w=1, 3500;w=60`) into numbers. Pure, never throws:
 * a header we cannot read is simply absent.
 */

export interface RateLimitObservation {
  /** The quota of the window that binds now. */
  readonly limit?: number;
  readonly remaining?: number;
  /** Seconds until the binding window has room again. */
  readonly resetSeconds?: number;
  /** Quota policies announced with `;w=`: window length in seconds → limit. */
  readonly policies: readonly { readonly limit: number; readonly windowSeconds: number }[];
  /** Present on 429s: milliseconds Klaviyo asked us to wait. */
  readonly retryAfterMs?: number;
}

export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

export function readRateLimitHeaders(headers: HeaderBag): RateLimitObservation {
  const limitHeader = header(headers, 'ratelimit-limit');
  const limit = leadingNumber(limitHeader);
  const remaining = leadingNumber(header(headers, 'ratelimit-remaining'));
  const resetSeconds = leadingNumber(header(headers, 'ratelimit-reset'));
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetSeconds !== undefined ? { resetSeconds } : {}),
    policies: policies(limitHeader),
  };
}

function policies(value: string | undefined): { limit: number; windowSeconds: number }[] {
  if (value === undefined) return [];
  const result: { limit: number; windowSeconds: number }[] = [];
  for (const part of value.split(',')) {
    const match = /^\s*(\d+)\s*;\s*w\s*=\s*(\d+)\s*$/.exec(part);
    if (match) result.push({ limit: Number(match[1]), windowSeconds: Number(match[2]) });
  }
  return result;
}

function leadingNumber(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^\s*(\d+)/.exec(value);
  return match ? Number(match[1]) : undefined;
}

export function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
