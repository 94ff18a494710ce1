/**
 * Secrets never reach a log, a metric, a dead-letter header or CLI output. This is the one function that
 * scrubs them, used by the logger and by every command that prints records. Pure: it returns a copy.
 */

export const REDACTED = '[REDACTED]';

/** Keys whose values are secrets wherever they appear (compared case-insensitively, ignoring - and _). */
const SECRET_KEYS = new Set(
  [
    'authorization',
    'apikey',
    'klaviyoapikey',
    'password',
    'passwordresetlink',
    'resetlink',
    'token',
    'secret',
    'saslpassword',
  ].map(normalizeKey),
);

/** Keys that carry personal data, masked only when PII masking is on. */
const PII_KEYS = new Set(
  ['email', 'phone', 'phonenumber', 'leademailaddress', 'leadphonenumber', 'newemail', 'oldemail'].map(normalizeKey),
);

/** A Klaviyo private API key (`pk_` + hex), wherever it is embedded in text. */
const API_KEY_PATTERN = /\bpk_[A-Za-z0-9]{6,}\b/g;
/** `Klaviyo-API-Key <anything>` header values embedded in text. */
const AUTH_HEADER_PATTERN = /(Klaviyo-API-Key\s+)\S+/gi;
/** Query strings of URLs often carry reset tokens: keep scheme, host and path, drop the rest. */
const URL_QUERY_PATTERN = /(https?:\/\/[^\s"'?#]+)[?#][^\s"']*/gi;

export interface RedactOptions {
  /** Literal secret values known at start-up (the configured API key, registry password). */
  readonly secrets?: readonly string[];
  /** Mask emails and phone numbers too. */
  readonly maskPii?: boolean;
}

export function redactText(text: string, options: RedactOptions = {}): string {
  let result = text;
  for (const secret of options.secrets ?? []) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result
    .replace(AUTH_HEADER_PATTERN, `$1${REDACTED}`)
    .replace(API_KEY_PATTERN, REDACTED)
    .replace(URL_QUERY_PATTERN, `$1?${REDACTED}`);
}

/** Deep copy of `value` with secret-keyed values replaced and secrets inside strings scrubbed. */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  return redactValue(value, options, new WeakSet()) as T;
}

function redactValue(value: unknown, options: RedactOptions, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, options, seen));
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message, options), ...redactEntries(value, options, seen) };
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  return redactEntries(value, options, seen);
}

function redactEntries(value: object, options: RedactOptions, seen: WeakSet<object>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const normalized = normalizeKey(key);
    if (SECRET_KEYS.has(normalized)) result[key] = child === undefined || child === null ? child : REDACTED;
    else if (options.maskPii === true && PII_KEYS.has(normalized) && typeof child === 'string')
      result[key] = maskPii(child);
    else result[key] = redactValue(child, options, seen);
  }
  return result;
}

/** `jane.doe@example.com` → `j***@example.com`; `+15551234567` → `+1******4567`. */
export function maskPii(value: string): string {
  const at = value.indexOf('@');
  if (at > 0) return `${value[0]}***${value.slice(at)}`;
  if (value.length > 6) return `${value.slice(0, 2)}${'*'.repeat(value.length - 6)}${value.slice(-4)}`;
  return '***';
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}
