/**
 * A DeliverBatch over the Klaviyo client and rate limiter: each request of a wave goes out on its own
 * (the wave already holds at most one request per profile, so they may run in parallel), through the
 * limiter of its endpoint family, and the client's result is settled by the failure policy. This is the
 * real-time lane only; the delivery engine of src/klaviyo adds the bulk lane and replaces this in main.ts.
 */
import { RelayError } from '../../errors.ts';
import type { KlaviyoClient } from '../../klaviyo/client/client.ts';
import type { RateLimiter } from '../../klaviyo/rate-limit/limiter.ts';
import { UNRESOLVED_PROFILE_ID, type KlaviyoRequest, type UpdateProfileRequest } from '../../klaviyo/request.ts';
import type { DeliverBatch, DeliveryOutcome } from './ports.ts';

export interface ClientDelivererOptions {
  readonly client: KlaviyoClient;
  readonly limiter: RateLimiter;
  /** Told how long each request waited for the limiter (seconds), for the rate-limiter-wait metric. */
  readonly onLimiterWait?: (family: 'events' | 'profiles', seconds: number) => void;
}

export function createClientDeliverer(options: ClientDelivererOptions): DeliverBatch {
  const { client, limiter } = options;

  async function deliverOne(request: KlaviyoRequest): Promise<DeliveryOutcome> {
    if (request.kind === 'create-event') {
      await acquire('events');
      const result = await client.createEvent(request.body);
      limiter.observe('events', result.rateLimit);
      return result.ok ? { kind: 'delivered', status: result.status } : settle('events', result.error);
    }
    const profileId = await resolveProfileId(request);
    if (profileId instanceof RelayError) return settle('profiles', profileId);
    await acquire('profiles');
    const body = { data: { ...request.body.data, id: profileId } };
    const result = await client.updateProfile(profileId, body);
    limiter.observe('profiles', result.rateLimit);
    return result.ok ? { kind: 'delivered', status: result.status } : settle('profiles', result.error);
  }

  async function resolveProfileId(request: UpdateProfileRequest): Promise<string | RelayError> {
    if (request.profileId !== undefined && request.profileId !== UNRESOLVED_PROFILE_ID) return request.profileId;
    const lookup =
      request.lookup.external_id !== undefined
        ? ({ field: 'external_id', value: request.lookup.external_id } as const)
        : request.lookup.email !== undefined
          ? ({ field: 'email', value: request.lookup.email } as const)
          : undefined;
    if (lookup === undefined) {
      return new RelayError('NO_PROFILE_IDENTIFIER', 'profile update names neither a profile id nor a lookup', {
        stage: 'deliver',
      });
    }
    await acquire('profiles');
    const found = await client.getProfiles(lookup);
    limiter.observe('profiles', found.rateLimit);
    if (!found.ok) return found.error;
    const [id] = found.value.ids;
    if (id === undefined) {
      return new RelayError('KLAVIYO_NOT_FOUND', `no Klaviyo profile has this ${lookup.field}`, {
        stage: 'deliver',
        detail: { lookup: lookup.field },
      });
    }
    return id;
  }

  async function acquire(family: 'events' | 'profiles'): Promise<void> {
    const waitedMs = await limiter.acquire(family);
    options.onLimiterWait?.(family, waitedMs / 1000);
  }

  function settle(family: 'events' | 'profiles', error: RelayError): DeliveryOutcome {
    if (error.code === 'KLAVIYO_RATE_LIMITED') limiter.rateLimited(family, error.retryAfterMs);
    switch (error.action) {
      case 'dead-letter':
        return { kind: 'failed-permanently', error };
      case 'halt':
        return { kind: 'halted', error };
      case 'retry':
        return {
          kind: 'retry-later',
          error,
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        };
      default:
        return error.action satisfies never;
    }
  }

  return async (requests) =>
    Promise.all(
      requests.map((request) =>
        deliverOne(request).catch((thrown: unknown): DeliveryOutcome => ({
          kind: 'retry-later',
          error: new RelayError('INTERNAL', thrown instanceof Error ? thrown.message : String(thrown), {
            cause: thrown,
          }),
        })),
      ),
    );
}
