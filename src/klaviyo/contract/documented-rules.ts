/**
 * Rules Klaviyo states in the operations' prose rather than in their schemas, and enforces with a 400
 * all the same. Checked after the schema (they assume the body's shape is valid) in both contract modes.
 * Pure functions over an already schema-valid body.
 */
import type { OperationId } from './operations.ts';

export interface RuleViolation {
  readonly pointer: string;
  readonly message: string;
}

/** "At a minimum, profile … objects should include at least one profile identifier" (create_event.json). */
const PROFILE_IDENTIFIERS = ['email', 'phone_number', 'external_id', 'anonymous_id', '_kx'] as const;
/** "Name of the event. Must be less than 128 characters." (MetricCreateQueryResourceObject). */
const METRIC_NAME_MAX_LENGTH = 127;
/** "Properties of this event (must not exceed 400 properties) … each string cannot be larger than 100 KB." */
const MAX_PROPERTIES = 400;
const MAX_STRING_BYTES = 100 * 1024;
/** "The time must be after the year 1990 and can only be up to 1 year in the future." */
const EARLIEST_TIME_MS = Date.UTC(1990, 0, 1);
const MAX_FUTURE_MS = 366 * 86_400_000;

/** `nowMs` is the receiving time, for the rule on how far in the future an event's time may be. */
export function documentedRuleViolations(
  operationId: OperationId,
  body: unknown,
  nowMs: number = Date.now(),
): RuleViolation[] {
  switch (operationId) {
    case 'create_event': {
      const attributes = field(body, 'data', 'attributes');
      return [
        ...profileIdentifierViolations(field(attributes, 'profile', 'data'), '/data/attributes/profile/data'),
        ...metricNameViolations(field(attributes, 'metric', 'data', 'attributes', 'name'), '/data/attributes/metric'),
        ...eventViolations(attributes, '/data/attributes', nowMs),
      ];
    }
    case 'bulk_create_events': {
      const entries = field(body, 'data', 'attributes', 'events-bulk-create', 'data');
      if (!Array.isArray(entries)) return [];
      return entries.flatMap((entry: unknown, entryIndex) => {
        const base = `/data/attributes/events-bulk-create/data/${entryIndex}/attributes`;
        const events = field(entry, 'attributes', 'events', 'data');
        return [
          ...profileIdentifierViolations(field(entry, 'attributes', 'profile', 'data'), `${base}/profile/data`),
          ...(Array.isArray(events) ? events : []).flatMap((event: unknown, eventIndex) => [
            ...metricNameViolations(
              field(event, 'attributes', 'metric', 'data', 'attributes', 'name'),
              `${base}/events/data/${eventIndex}/attributes/metric`,
            ),
            ...eventViolations(field(event, 'attributes'), `${base}/events/data/${eventIndex}/attributes`, nowMs),
          ]),
          ...repeatedUniqueIdViolations(Array.isArray(events) ? events : [], base),
        ];
      });
    }
    case 'update_profile':
    case 'get_profiles':
    case 'get_profile':
    case 'create_or_update_profile':
      return [];
    default: {
      const exhaustive: never = operationId;
      return exhaustive;
    }
  }
}

function profileIdentifierViolations(profileData: unknown, pointer: string): RuleViolation[] {
  if (hasText(field(profileData, 'id'))) return [];
  const attributes = field(profileData, 'attributes');
  if (PROFILE_IDENTIFIERS.some((name) => hasText(field(attributes, name)))) return [];
  return [
    {
      pointer: `${pointer}/attributes`,
      message: `profile must include at least one identifier (id, ${PROFILE_IDENTIFIERS.join(', ')})`,
    },
  ];
}

function metricNameViolations(name: unknown, pointer: string): RuleViolation[] {
  if (typeof name !== 'string') return [];
  if (name.trim() === '') return [{ pointer: `${pointer}/data/attributes/name`, message: 'must not be empty' }];
  if (name.length > METRIC_NAME_MAX_LENGTH) {
    return [{ pointer: `${pointer}/data/attributes/name`, message: 'must be less than 128 characters' }];
  }
  return [];
}

/** The prose limits on one event's attributes: its properties and its time. */
function eventViolations(attributes: unknown, pointer: string, nowMs: number): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const properties = field(attributes, 'properties');
  if (typeof properties === 'object' && properties !== null && !Array.isArray(properties)) {
    if (Object.keys(properties).length > MAX_PROPERTIES) {
      violations.push({ pointer: `${pointer}/properties`, message: `must not exceed ${MAX_PROPERTIES} properties` });
    }
    const long = firstLongString(properties, `${pointer}/properties`);
    if (long !== undefined) violations.push({ pointer: long, message: 'a string cannot be larger than 100 KB' });
  }
  const time = field(attributes, 'time');
  if (typeof time === 'string') {
    const ms = Date.parse(time);
    if (Number.isFinite(ms) && ms < EARLIEST_TIME_MS) {
      violations.push({ pointer: `${pointer}/time`, message: 'must be after the year 1990' });
    } else if (Number.isFinite(ms) && ms > nowMs + MAX_FUTURE_MS) {
      violations.push({ pointer: `${pointer}/time`, message: 'can only be up to 1 year in the future' });
    }
  }
  return violations;
}

/** The pointer of the first string deeper in `value` larger than 100 KB (UTF-8), if any. */
function firstLongString(value: unknown, pointer: string): string | undefined {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8') > MAX_STRING_BYTES ? pointer : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = firstLongString(child, `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * "If a unique_id is repeated for the same profile and metric, the request will fail and no events will
 * be processed" (bulk_create_events): within one profile's entry, two events of one metric and unique_id.
 */
function repeatedUniqueIdViolations(events: readonly unknown[], base: string): RuleViolation[] {
  const seen = new Set<string>();
  const violations: RuleViolation[] = [];
  events.forEach((event, index) => {
    const uniqueId = field(event, 'attributes', 'unique_id');
    const metric = field(event, 'attributes', 'metric', 'data', 'attributes', 'name');
    if (typeof uniqueId !== 'string' || typeof metric !== 'string') return;
    const key = `${metric}\u0000${uniqueId}`;
    if (seen.has(key)) {
      violations.push({
        pointer: `${base}/events/data/${index}/attributes/unique_id`,
        message: 'repeats the unique_id of another event of this profile and metric in the job',
      });
    }
    seen.add(key);
  });
  return violations;
}

function hasText(value: unknown): boolean {
  return typeof value === 'string' && value.trim() !== '';
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
