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

/** A Klaviyo private API key (`pk_` then letters, digits and underscores), wherever it is embedded in text. */
const API_KEY_PATTERN = /\bpk_\w{6,}/g;
/** Credentials inside a URL (`http://alice:pw@host`): the user and password go, scheme and host stay. */
const URL_CREDENTIALS_PATTERN = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"']+@/gi;
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
    .replace(URL_CREDENTIALS_PATTERN, `$1${REDACTED}@`)
    .replace(AUTH_HEADER_PATTERN, `$1${REDACTED}`)
    .replace(API_KEY_PATTERN, REDACTED)
    .replace(URL_QUERY_PATTERN, `$1?${REDACTED}`);
}

/**
 * Deep copy of `value` with secret-keyed values replaced and secrets inside strings scrubbed. An object
 * referenced twice (AccountUpdated's properties in both NewValues and the profile) is copied twice; only
 * an object that contains itself is a cycle (`[Circular]`). Nesting deeper than MAX_DEPTH is cut off.
 */
export function redact<T>(value: T, options: RedactOptions = {}): T {
  return redactValue(value, options, new Set(), 0) as T;
}

/** Far deeper than any event or log record; a hostile document stops here instead of the call stack. */
const MAX_DEPTH = 200;

function redactValue(value: unknown, options: RedactOptions, ancestors: Set<object>, depth: number): unknown {
  if (typeof value === 'string') return redactText(value, options);
  if (typeof value !== 'object' || value === null) return value;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[Too deep]';
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `[${value.byteLength} bytes]`;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redactValue(item, options, ancestors, depth + 1));
    if (value instanceof Error) {
      return {
        type: value.name,
        message: redactText(value.message, options),
        ...redactEntries(value, options, ancestors, depth),
      };
    }
    return redactEntries(value, options, ancestors, depth);
  } finally {
    ancestors.delete(value);
  }
}

function redactEntries(
  value: object,
  options: RedactOptions,
  ancestors: Set<object>,
  depth: number,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const normalized = normalizeKey(key);
    if (SECRET_KEYS.has(normalized)) result[key] = child === undefined || child === null ? child : REDACTED;
    else if (options.maskPii === true && PII_KEYS.has(normalized) && typeof child === 'string')
      result[key] = maskPii(child);
    else result[key] = redactValue(child, options, ancestors, depth + 1);
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
