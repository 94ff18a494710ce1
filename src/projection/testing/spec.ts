/**
 * Specification-style helpers for projection tests (emmett's given/when/then): `given(event).when(ctx)
 * .thenRequests()` projects and returns the requests. Every request any test obtains through here is
 * validated against Klaviyo's OpenAPI slices in closed mode (a key Klaviyo does not define is a bug),
 * so the contract is checked by every projection test, not by a separate sample.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ProfileIdentifier } from '../../config/config.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { RelayError, RelayErrorCode } from '../../errors.ts';
import { formatViolations, validateRequest } from '../../klaviyo/contract/validate.ts';
import type { CreateEventRequest, KlaviyoRequest, UpdateProfileRequest } from '../../klaviyo/request.ts';
import type { ProjectionContext } from '../context.ts';
import { DEFAULT_FRESHNESS_WINDOWS, parseFreshnessWindows } from '../freshness.ts';
import { project } from '../project.ts';
import { parseDocument } from '../routing/load.ts';
import { parseRoutingRules, type RoutingRules } from '../routing/rules.ts';

export const EXAMPLE_RULES_PATH = new URL('../../../config/lead-routing.example.yaml', import.meta.url);

export function exampleRoutingRules(): RoutingRules {
  const path = EXAMPLE_RULES_PATH.pathname;
  return parseRoutingRules(parseDocument(readFileSync(path, 'utf8'), path), path);
}

export const ALL_IDENTIFIERS: readonly ProfileIdentifier[] = ['external_id', 'email', 'phone_number'];

/** A context one minute after the event: fresh, all identifiers, the example routing rules. */
export function contextFor(event: DomainEvent, overrides: Partial<ProjectionContext> = {}): ProjectionContext {
  return {
    now: overrides.now ?? event.data.occurredAt + 60_000,
    identifiers: ALL_IDENTIFIERS,
    freshness: parseFreshnessWindows(DEFAULT_FRESHNESS_WINDOWS),
    routing: exampleRoutingRules(),
    ...overrides,
  };
}

/** Fails the test unless the request is valid for Klaviyo's operation in closed mode (received at `receivedAt`). */
export function expectContractValid(request: KlaviyoRequest, receivedAt?: number): void {
  const operation = request.kind === 'create-event' ? 'create_event' : 'update_profile';
  const result = validateRequest(
    operation,
    { body: request.body, ...(receivedAt === undefined ? {} : { receivedAt }) },
    'closed',
  );
  expect(result.ok ? '' : formatViolations(result.errors), `${request.requestId} (${operation})`).toBe('');
}

export function given(event: DomainEvent) {
  let ctx = contextFor(event);
  const spec = {
    when(overrides: Partial<ProjectionContext>) {
      ctx = contextFor(event, overrides);
      return spec;
    },
    thenRequests(): readonly KlaviyoRequest[] {
      const result = project(event, ctx);
      if (!result.ok) throw new Error(`expected requests, got ${result.error.code}: ${result.error.message}`);
      for (const request of result.requests) expectContractValid(request, ctx.now);
      return result.requests;
    },
    /** The only request, which must be a Create Event. */
    thenEvent(): CreateEventRequest {
      const requests = spec.thenRequests();
      expect(requests).toHaveLength(1);
      return asEvent(requests[0]);
    },
    thenFails(code: RelayErrorCode): RelayError {
      const result = project(event, ctx);
      if (result.ok) throw new Error(`expected ${code}, got ${result.requests.length} request(s)`);
      expect(result.error.code, result.error.message).toBe(code);
      return result.error;
    },
  };
  return spec;
}

export function asEvent(request: KlaviyoRequest | undefined): CreateEventRequest {
  if (request?.kind !== 'create-event') throw new Error(`expected a create-event request, got ${request?.kind}`);
  return request;
}

export function asProfileUpdate(request: KlaviyoRequest | undefined): UpdateProfileRequest {
  if (request?.kind !== 'update-profile') throw new Error(`expected an update-profile request, got ${request?.kind}`);
  return request;
}

/** `{ type, data }` with some data fields replaced; keeps the discriminant and the data type together. */
export function withData<E extends DomainEvent>(event: E, changes: Partial<E['data']>): E {
  return { ...event, data: { ...event.data, ...changes } } as E;
}
