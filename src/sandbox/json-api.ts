/** Klaviyo-shaped JSON:API answers: `errors[]` with id, status, code, title, detail and source. */
import { randomUUID } from 'node:crypto';

export interface SandboxResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Serialised as JSON:API; absent for an empty body (202 for events). */
  readonly body?: unknown;
}

export interface ErrorSource {
  readonly pointer?: string;
  readonly parameter?: string;
}

export interface ErrorItem {
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly source?: ErrorSource;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export function errorResponse(status: number, items: readonly ErrorItem[], headers?: Record<string, string>) {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: { errors: items.map((item) => ({ id: randomUUID(), status, ...item })) },
  } satisfies SandboxResponse;
}

export const TITLES = {
  invalid: 'Invalid input.',
  not_authenticated: 'Authentication credentials were not provided.',
  authentication_failed: 'Incorrect authentication credentials.',
  throttled: 'Request was throttled.',
  not_found: 'Not found.',
  duplicate_profile: 'Conflict.',
  unsupported_media_type: 'Unsupported media type.',
  payload_too_large: 'Payload too large.',
  method_not_allowed: 'Method not allowed.',
  injected: 'Injected fault.',
} as const;
