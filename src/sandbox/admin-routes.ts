/**
 * The sandbox's own API under `/__sandbox/`: inspection for tests and benchmarks (received events filtered
 * by metric, profile and unique_id; duplicates rejected; profiles; counters), fault injection, limits, reset.
 */
import type { RateFamily } from '../klaviyo/contract/operations.ts';
import type { Faults } from './faults.ts';
import { parseFaultSpec } from './faults.ts';
import type { SandboxResponse } from './json-api.ts';
import type { SandboxCounters } from './klaviyo-routes.ts';
import type { RateWindows } from './rate-windows.ts';
import { profileResource, type SandboxEvent, type SandboxStore } from './store.ts';

export interface AdminContext {
  readonly store: SandboxStore;
  readonly counters: () => SandboxCounters;
  readonly faults: Faults;
  readonly windows: RateWindows;
  readonly reset: () => void;
  readonly now: number;
}

export interface EventFilter {
  readonly metric?: string;
  /** A profile id, email or external_id. */
  readonly profile?: string;
  readonly uniqueId?: string;
  readonly lane?: 'create' | 'bulk';
}

export function filterEvents(store: SandboxStore, filter: EventFilter): SandboxEvent[] {
  const profileId = filter.profile === undefined ? undefined : resolveProfileId(store, filter.profile);
  if (filter.profile !== undefined && profileId === undefined) return [];
  return store.events.filter(
    (event) =>
      (filter.metric === undefined || event.metric === filter.metric) &&
      (profileId === undefined || event.profileId === profileId) &&
      (filter.uniqueId === undefined || event.uniqueId === filter.uniqueId) &&
      (filter.lane === undefined || event.lane === filter.lane),
  );
}

function resolveProfileId(store: SandboxStore, value: string): string | undefined {
  return (store.findBy('id', value) ?? store.findBy('email', value) ?? store.findBy('external_id', value))?.id;
}

export function handleAdmin(
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
  context: AdminContext,
): SandboxResponse {
  const route = `${method} ${path.replace(/\/+$/, '')}`;
  const limit = Number(query.get('limit') ?? 1_000);
  switch (route) {
    case 'GET /__sandbox/health':
      return { status: 200, body: { status: 'ok' } };
    case 'GET /__sandbox/events': {
      const lane = query.get('lane');
      const events = filterEvents(context.store, {
        ...optional('metric', query.get('metric')),
        ...optional('profile', query.get('profile')),
        ...optional('uniqueId', query.get('unique_id')),
        ...(lane === 'create' || lane === 'bulk' ? { lane } : {}),
      });
      return { status: 200, body: { count: events.length, events: events.slice(0, limit) } };
    }
    case 'GET /__sandbox/duplicates':
      return {
        status: 200,
        body: { count: context.store.duplicates.length, duplicates: context.store.duplicates.slice(0, limit) },
      };
    case 'GET /__sandbox/profiles': {
      const wanted = query.get('profile');
      const profiles =
        wanted === null
          ? [...context.store.profiles.values()]
          : [resolveProfileId(context.store, wanted)].flatMap((id) => {
              const profile = id === undefined ? undefined : context.store.findBy('id', id);
              return profile ? [profile] : [];
            });
      return {
        status: 200,
        body: { count: profiles.length, profiles: profiles.slice(0, limit).map((p) => profileResource(p)) },
      };
    }
    case 'GET /__sandbox/counters':
      return {
        status: 200,
        body: {
          ...context.counters(),
          profiles: context.store.profiles.size,
          limits: context.windows.limits(),
          competitor: context.windows.competitor(),
        },
      };
    case 'POST /__sandbox/reset':
      context.reset();
      return { status: 204 };
    case 'GET /__sandbox/faults':
      return { status: 200, body: { faults: context.faults.list() } };
    case 'POST /__sandbox/faults': {
      const spec = parseFaultSpec(body);
      if (typeof spec === 'string') return { status: 400, body: { error: spec } };
      return { status: 201, body: context.faults.add(spec, context.now) };
    }
    case 'DELETE /__sandbox/faults':
      context.faults.clear();
      return { status: 204 };
    case 'PUT /__sandbox/limits': {
      const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const family = raw.family;
      if (family !== 'events' && family !== 'bulk' && family !== 'profiles') {
        return { status: 400, body: { error: 'family must be events, bulk or profiles' } };
      }
      if (!isPositiveInteger(raw.perSecond) || !isPositiveInteger(raw.perMinute)) {
        return { status: 400, body: { error: 'perSecond and perMinute must be positive integers' } };
      }
      context.windows.setLimits(family as RateFamily, { perSecond: raw.perSecond, perMinute: raw.perMinute });
      return { status: 200, body: { limits: context.windows.limits() } };
    }
    case 'PUT /__sandbox/competitor': {
      // Another integration on the same account, spending `share` of each steady window (rate-windows.ts).
      const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const family = raw.family;
      if (family !== 'events' && family !== 'bulk' && family !== 'profiles') {
        return { status: 400, body: { error: 'family must be events, bulk or profiles' } };
      }
      if (typeof raw.share !== 'number' || !(raw.share >= 0 && raw.share < 1)) {
        return { status: 400, body: { error: 'share must be a number in [0, 1)' } };
      }
      context.windows.setCompetitor(family, raw.share);
      return { status: 200, body: { competitor: context.windows.competitor() } };
    }
    default:
      return { status: 404, body: { error: `no sandbox route ${route}` } };
  }
}

function optional<K extends string>(key: K, value: string | null): Partial<Record<K, string>> {
  return value === null ? {} : ({ [key]: value } as Record<K, string>);
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
