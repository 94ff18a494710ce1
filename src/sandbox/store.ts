/**
 * The sandbox's memory of what Klaviyo would have recorded: profiles (by id and by each identifier) and
 * accepted events, deduplicated per (profile, metric, unique_id) as Klaviyo does: the first processed wins,
 * later ones are counted as duplicates rejected. Beside it, a raw ledger of every accepted request (events
 * and profile updates) before any dedup, so a test can see what was sent twice. Maps throughout: benchmarks keep hundreds of thousands of
 * events here. Pure state; the server supplies the time.
 */
import { randomBytes } from 'node:crypto';

type Json = unknown;

export interface SandboxProfile {
  readonly id: string;
  email: string | undefined;
  phone_number: string | undefined;
  external_id: string | undefined;
  attributes: Record<string, Json>;
  properties: Record<string, Json>;
  readonly created: number;
  updated: number;
}

export interface SandboxEvent {
  readonly id: string;
  readonly metric: string;
  readonly profileId: string;
  readonly uniqueId: string;
  /** Epoch ms when the sandbox accepted the event (end-to-end latency is measured to here). */
  readonly acceptedAt: number;
  readonly lane: 'create' | 'bulk';
  /** The event's attributes as received (properties, time, value, unique_id…), profile excluded. */
  readonly attributes: Readonly<Record<string, Json>>;
}

export interface DuplicateRecord {
  readonly metric: string;
  readonly profileId: string;
  readonly uniqueId: string;
  readonly rejectedAt: number;
}

/**
 * One request the sandbox accepted, whatever its dedup then made of it: the raw ledger from which a test
 * counts what the relay really sent twice (Klaviyo's unique_id dedup hides those from `events`).
 */
export interface RawRequest {
  /** An event (single or in a bulk job) or a profile PATCH. */
  readonly kind: 'event' | 'profile-update';
  /** What makes two requests the same: `metric|unique_id` for an event, `profile id|attributes` for a PATCH. */
  readonly identity: string;
  readonly acceptedAt: number;
}

export type ProfileInput = {
  readonly id?: string | null;
  readonly attributes?: Readonly<Record<string, Json>> | null;
};

export type UpsertResult =
  | { readonly ok: true; readonly profile: SandboxProfile }
  | { readonly ok: false; readonly conflict: 'duplicate_profile' | 'not_found'; readonly otherId?: string };

const IDENTIFIERS = ['email', 'phone_number', 'external_id'] as const;
type Identifier = (typeof IDENTIFIERS)[number];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export interface SandboxStore {
  readonly profiles: ReadonlyMap<string, SandboxProfile>;
  readonly events: readonly SandboxEvent[];
  readonly duplicates: readonly DuplicateRecord[];
  /** Every accepted event and profile update, including those the dedup absorbed, in arrival order. */
  readonly requests: readonly RawRequest[];
  recordRequest(request: RawRequest): void;
  /** Profile for an event: found by id, external_id, email or phone (in that order), created when new. */
  profileForEvent(input: ProfileInput, now: number): SandboxProfile;
  /** PATCH semantics: the profile must exist; an identifier owned by another profile is a conflict. */
  updateProfile(id: string, attributes: Readonly<Record<string, Json>>, now: number): UpsertResult;
  findBy(field: Identifier | 'id', value: string): SandboxProfile | undefined;
  /** Records an event unless (profile, metric, unique_id) was seen; returns whether it was recorded. */
  addEvent(event: Omit<SandboxEvent, 'id'>): boolean;
  reset(): void;
}

export function createSandboxStore(): SandboxStore {
  const profiles = new Map<string, SandboxProfile>();
  const byIdentifier: Record<Identifier, Map<string, string>> = {
    email: new Map(),
    phone_number: new Map(),
    external_id: new Map(),
  };
  let events: SandboxEvent[] = [];
  let duplicates: DuplicateRecord[] = [];
  let requests: RawRequest[] = [];
  const seen = new Set<string>();
  let nextEventId = 1;

  function newProfileId(): string {
    const bytes = randomBytes(26);
    let id = '01';
    for (let index = 2; index < 26; index += 1) id += CROCKFORD[bytes[index]! % 32];
    return profiles.has(id) ? newProfileId() : id;
  }

  function setIdentifier(profile: SandboxProfile, field: Identifier, value: string | undefined): void {
    const old = profile[field];
    if (old !== undefined) byIdentifier[field].delete(normalise(field, old));
    profile[field] = value;
    if (value !== undefined) byIdentifier[field].set(normalise(field, value), profile.id);
  }

  function findBy(field: Identifier | 'id', value: string): SandboxProfile | undefined {
    if (field === 'id') return profiles.get(value);
    const id = byIdentifier[field].get(normalise(field, value));
    return id === undefined ? undefined : profiles.get(id);
  }

  function apply(profile: SandboxProfile, attributes: Readonly<Record<string, Json>>, now: number): void {
    for (const [key, value] of Object.entries(attributes)) {
      if ((IDENTIFIERS as readonly string[]).includes(key)) continue;
      if (key === 'properties') {
        if (isRecord(value)) Object.assign(profile.properties, value);
      } else if (value === null) {
        profile.attributes = Object.fromEntries(Object.entries(profile.attributes).filter(([name]) => name !== key));
      } else {
        profile.attributes[key] = value;
      }
    }
    profile.updated = now;
  }

  return {
    get profiles() {
      return profiles;
    },
    get events() {
      return events;
    },
    get duplicates() {
      return duplicates;
    },
    get requests() {
      return requests;
    },
    recordRequest(request) {
      requests.push(request);
    },
    profileForEvent(input, now) {
      const attributes = input.attributes ?? {};
      let profile = typeof input.id === 'string' ? profiles.get(input.id) : undefined;
      for (const field of ['external_id', 'email', 'phone_number'] as const) {
        const value = attributes[field];
        if (profile === undefined && typeof value === 'string' && value !== '') profile = findBy(field, value);
      }
      if (profile === undefined) {
        profile = {
          id: typeof input.id === 'string' && input.id !== '' ? input.id : newProfileId(),
          email: undefined,
          phone_number: undefined,
          external_id: undefined,
          attributes: {},
          properties: {},
          created: now,
          updated: now,
        };
        profiles.set(profile.id, profile);
      }
      for (const field of IDENTIFIERS) {
        const value = attributes[field];
        // An event never steals an identifier that belongs to another profile (Klaviyo ignores it too).
        if (typeof value === 'string' && value !== '' && profile[field] === undefined && !findBy(field, value)) {
          setIdentifier(profile, field, value);
        }
      }
      apply(profile, attributes, now);
      return profile;
    },
    updateProfile(id, attributes, now) {
      const profile = profiles.get(id);
      if (!profile) return { ok: false, conflict: 'not_found' };
      for (const field of IDENTIFIERS) {
        const value = attributes[field];
        if (typeof value !== 'string' || value === '') continue;
        const owner = findBy(field, value);
        if (owner && owner.id !== id) return { ok: false, conflict: 'duplicate_profile', otherId: owner.id };
      }
      for (const field of IDENTIFIERS) {
        const value = attributes[field];
        if (typeof value === 'string' && value !== '') setIdentifier(profile, field, value);
        else if (value === null) setIdentifier(profile, field, undefined);
      }
      apply(profile, attributes, now);
      return { ok: true, profile };
    },
    findBy,
    addEvent(event) {
      const key = `${event.profileId}\u0000${event.metric}\u0000${event.uniqueId}`;
      if (seen.has(key)) {
        duplicates.push({
          metric: event.metric,
          profileId: event.profileId,
          uniqueId: event.uniqueId,
          rejectedAt: event.acceptedAt,
        });
        return false;
      }
      seen.add(key);
      events.push({ ...event, id: `evt_${nextEventId++}` });
      return true;
    },
    reset() {
      profiles.clear();
      for (const field of IDENTIFIERS) byIdentifier[field].clear();
      events = [];
      duplicates = [];
      requests = [];
      seen.clear();
      nextEventId = 1;
    },
  };
}

/** Klaviyo matches emails case-insensitively. */
function normalise(field: Identifier, value: string): string {
  return field === 'email' ? value.trim().toLowerCase() : value;
}

function isRecord(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function profileResource(profile: SandboxProfile): Record<string, Json> {
  return {
    type: 'profile',
    id: profile.id,
    attributes: {
      email: profile.email ?? null,
      phone_number: profile.phone_number ?? null,
      external_id: profile.external_id ?? null,
      ...profile.attributes,
      properties: profile.properties,
      created: new Date(profile.created).toISOString(),
      updated: new Date(profile.updated).toISOString(),
    },
    links: { self: `/api/profiles/${profile.id}/` },
  };
}
