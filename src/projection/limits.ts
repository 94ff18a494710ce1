/**
 * Klaviyo's documented data limits, checked before a request leaves the projection, so a too-large event
 * is a dead letter with a reason now instead of a 400 at delivery (create_event.json, update_profile.json).
 */
import { MAX_STRING_BYTES } from '../domain/klaviyo-bounds.ts';
import { RelayError } from '../errors.ts';
import type { CreateEventBody, JsonValue, UpdateProfileBody } from '../klaviyo/request.ts';

export const KLAVIYO_LIMITS = {
  /** "Must be less than 128 characters." */
  metricNameMaxLength: 127,
  /** "must not exceed 400 properties" */
  maxEventProperties: 400,
  /** "each string cannot be larger than 100 KB" */
  maxStringBytes: MAX_STRING_BYTES,
  /** "The size of the event payload must not exceed 5 MB" */
  maxEventBodyBytes: 5 * 1024 * 1024,
  /** Update Profile: "The maximum allowed payload size is 100KB." */
  maxProfileUpdateBodyBytes: 100 * 1024,
} as const;

const encoder = new TextEncoder();

/** The UTF-8 size of a string when it is over Klaviyo's string limit, else undefined. */
function oversizedBytes(text: string): number | undefined {
  // Cheap exit on the hot path: a UTF-16 unit never takes more than 3 UTF-8 bytes.
  if (text.length * 3 <= KLAVIYO_LIMITS.maxStringBytes) return undefined;
  const bytes = encoder.encode(text).length;
  return bytes > KLAVIYO_LIMITS.maxStringBytes ? bytes : undefined;
}

/**
 * `enclosingJson`: the JSON of the request that holds `body`, when the caller has it; its length bounds
 * the body's, so the body is not serialised again unless it could be over a limit.
 */
export function checkCreateEventLimits(body: CreateEventBody, enclosingJson?: string): void {
  const attributes = body.data.attributes;
  const metric = attributes.metric.data.attributes.name;
  if (metric.length > KLAVIYO_LIMITS.metricNameMaxLength) {
    exceeded(`metric name is ${metric.length} characters (Klaviyo allows fewer than 128)`, '/data/attributes/metric');
  }
  const propertyCount = Object.keys(attributes.properties).length;
  if (propertyCount > KLAVIYO_LIMITS.maxEventProperties) {
    exceeded(`event has ${propertyCount} properties (Klaviyo allows 400)`, '/data/attributes/properties');
  }
  const json = enclosingJson ?? JSON.stringify(body);
  if (mayHoldOversizedString(json)) checkStrings(body, []);
  const size = bodySizeIfOver(body, json, KLAVIYO_LIMITS.maxEventBodyBytes);
  if (size !== undefined) exceeded(`event body is ${size} bytes (Klaviyo allows 5 MB)`, '');
}

/** `enclosingJson` as for checkCreateEventLimits. */
export function checkUpdateProfileLimits(body: UpdateProfileBody, enclosingJson?: string): void {
  const json = enclosingJson ?? JSON.stringify(body);
  if (mayHoldOversizedString(json)) checkStrings(body, []);
  const size = bodySizeIfOver(body, json, KLAVIYO_LIMITS.maxProfileUpdateBodyBytes);
  if (size !== undefined) {
    exceeded(`profile update body is ${size} bytes (Klaviyo allows 100 KB)`, '');
  }
}

/**
 * Walks every string, keys included, naming the JSON pointer of the first one over 100 KB. The path is a
 * stack turned into a pointer only on failure: this runs for every request on the projector's hot path,
 * where building a pointer string per property cost more than the rest of the check (bench/projector.ts).
 */
function checkStrings(value: JsonValue | object | undefined, path: (string | number)[]): void {
  if (typeof value === 'string') {
    const bytes = oversizedBytes(value);
    if (bytes !== undefined) exceeded(`string is ${bytes} bytes (Klaviyo allows 100 KB)`, toPointer(path));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      path.push(index);
      checkStrings(value[index] as JsonValue, path);
      path.pop();
    }
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    path.push(key);
    if (oversizedBytes(key) !== undefined) exceeded('property name is over 100 KB', toPointer(path));
    checkStrings(child as JsonValue | undefined, path);
    path.pop();
  }
}

/**
 * False when no string inside the document can be over Klaviyo's string limit: every string is shorter than
 * the whole JSON text, and a UTF-16 unit never takes more than 3 UTF-8 bytes. Typical requests are a few KB,
 * so the per-string walk is skipped on the hot path.
 */
function mayHoldOversizedString(json: string): boolean {
  return json.length * 3 > KLAVIYO_LIMITS.maxStringBytes;
}

/** RFC 6901 JSON pointer of a path. */
function toPointer(path: readonly (string | number)[]): string {
  return path.map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

/**
 * The UTF-8 size of `body`'s JSON when it is over `limit` bytes, else undefined. `json` is that JSON or a
 * text that contains it: when even it cannot be over the limit (a UTF-16 unit is at most 3 UTF-8 bytes),
 * nothing is encoded.
 */
function bodySizeIfOver(body: object, json: string, limit: number): number | undefined {
  if (json.length * 3 <= limit) return undefined;
  const bytes = encoder.encode(JSON.stringify(body)).length;
  return bytes > limit ? bytes : undefined;
}

function exceeded(message: string, pointer: string): never {
  throw new RelayError('KLAVIYO_LIMIT_EXCEEDED', message, { detail: { pointer } });
}
