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

export function documentedRuleViolations(operationId: OperationId, body: unknown): RuleViolation[] {
  switch (operationId) {
    case 'create_event': {
      const attributes = field(body, 'data', 'attributes');
      return [
        ...profileIdentifierViolations(field(attributes, 'profile', 'data'), '/data/attributes/profile/data'),
        ...metricNameViolations(field(attributes, 'metric', 'data', 'attributes', 'name'), '/data/attributes/metric'),
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
          ...(Array.isArray(events) ? events : []).flatMap((event: unknown, eventIndex) =>
            metricNameViolations(
              field(event, 'attributes', 'metric', 'data', 'attributes', 'name'),
              `${base}/events/data/${eventIndex}/attributes/metric`,
            ),
          ),
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
