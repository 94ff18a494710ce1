/**
 * The Klaviyo operations klaviyo-relay calls or emulates, one row each, keyed by Klaviyo's operationId.
 * Each row names the OpenAPI slice it is described by (openapi/klaviyo/<operationId>.json) and the
 * rate-limit family it counts against: Klaviyo budgets limits per endpoint, and the relay groups them in
 * the families its config knows (events, bulk, profiles).
 */

export type OperationId =
  | 'create_event'
  | 'bulk_create_events'
  | 'update_profile'
  | 'get_profiles'
  | 'get_profile'
  | 'create_or_update_profile';

export type RateFamily = 'events' | 'bulk' | 'profiles';

export type HttpMethod = 'GET' | 'POST' | 'PATCH';

export interface OperationRow {
  readonly method: HttpMethod;
  /** OpenAPI path template, e.g. `/api/profiles/{id}`. */
  readonly path: string;
  readonly family: RateFamily;
  /** Whether the operation takes a JSON:API request body. */
  readonly hasBody: boolean;
}

export const OPERATIONS = {
  create_event: { method: 'POST', path: '/api/events', family: 'events', hasBody: true },
  bulk_create_events: { method: 'POST', path: '/api/event-bulk-create-jobs', family: 'bulk', hasBody: true },
  update_profile: { method: 'PATCH', path: '/api/profiles/{id}', family: 'profiles', hasBody: true },
  get_profiles: { method: 'GET', path: '/api/profiles', family: 'profiles', hasBody: false },
  get_profile: { method: 'GET', path: '/api/profiles/{id}', family: 'profiles', hasBody: false },
  create_or_update_profile: { method: 'POST', path: '/api/profile-import', family: 'profiles', hasBody: true },
} as const satisfies Record<OperationId, OperationRow>;

export const OPERATION_IDS = Object.keys(OPERATIONS) as readonly OperationId[];

export function isOperationId(value: string): value is OperationId {
  return Object.hasOwn(OPERATIONS, value);
}
