/**
 * Who a Klaviyo event is about. The identifiers sent are configurable (RELAY_PROFILE_IDENTIFIERS: some
 * accounts do not want external_id), the descriptive attributes (names, location) are always sent when the
 * event has them. The outbound key keeps one person's requests in order, so it prefers the account id, which
 * survives an email change, even when that id is not sent to Klaviyo.
 */
import type { ProfileIdentifier } from '../config/config.ts';
import { RelayError } from '../errors.ts';
import type { EventProfileAttributes, JsonValue, ProfileLocation } from '../klaviyo/request.ts';

/** The identity fields shared by the domain's Customer and Prospect records. */
export interface PersonIdentity {
  readonly customerId: string | null;
  readonly email: string | null;
  readonly phone: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly title?: string | null;
  readonly location: {
    readonly address1: string | null;
    readonly address2: string | null;
    readonly city: string | null;
    readonly region: string | null;
    readonly country: string | null;
    readonly zip: string | null;
    readonly timezone: string | null;
  } | null;
  readonly klaviyoProfileId: string | null;
}

export interface EventProfile {
  /** Klaviyo's profile id when the producer knows it. */
  readonly id: string | undefined;
  readonly attributes: EventProfileAttributes;
  /** Kafka key of the outbound request: the same person, the same partition, in order. */
  readonly profileKey: string;
}

export interface ProfileOptions {
  readonly identifiers: readonly ProfileIdentifier[];
  /** Custom profile properties (PasswordResetLink, MostRecentLeadSource). */
  readonly properties?: { readonly [key: string]: JsonValue };
  /** Where the person sits in the event, for error messages (`customer`, `prospect`). */
  readonly path: string;
}

export function buildEventProfile(person: PersonIdentity, options: ProfileOptions): EventProfile {
  const identifiers = pickIdentifiers(person, options.identifiers);
  if (Object.keys(identifiers).length === 0 && person.klaviyoProfileId === null) {
    throw new RelayError(
      'NO_PROFILE_IDENTIFIER',
      `${options.path} has none of the profile identifiers the relay sends (${options.identifiers.join(', ')})`,
      { detail: { path: options.path, identifiers: [...options.identifiers] } },
    );
  }
  const location = person.location === null ? undefined : compactLocation(person.location);
  const attributes: EventProfileAttributes = {
    ...identifiers,
    ...optional('first_name', person.firstName),
    ...optional('last_name', person.lastName),
    ...optional('title', person.title ?? null),
    ...(location === undefined ? {} : { location }),
    ...(options.properties === undefined ? {} : { properties: options.properties }),
  };
  return {
    id: person.klaviyoProfileId ?? undefined,
    attributes,
    profileKey: profileKeyOf(person),
  };
}

/** The identifiers of a person that the configuration allows us to send, without nulls. */
export function pickIdentifiers(
  person: Pick<PersonIdentity, 'customerId' | 'email' | 'phone'>,
  allowed: readonly ProfileIdentifier[],
): { external_id?: string; email?: string; phone_number?: string } {
  return {
    ...(allowed.includes('external_id') ? optional('external_id', person.customerId) : {}),
    ...(allowed.includes('email') ? optional('email', person.email) : {}),
    ...(allowed.includes('phone_number') ? optional('phone_number', person.phone) : {}),
  };
}

/**
 * The most stable identity we have, whatever is sent to Klaviyo: the account id outlives email changes.
 * Emails are compared case-insensitively by Klaviyo, so the key is too.
 */
export function profileKeyOf(
  person: Pick<PersonIdentity, 'customerId' | 'email' | 'phone' | 'klaviyoProfileId'>,
): string {
  if (person.customerId !== null) return `external_id:${person.customerId}`;
  if (person.email !== null) return `email:${person.email.toLowerCase()}`;
  if (person.phone !== null) return `phone_number:${person.phone}`;
  if (person.klaviyoProfileId !== null) return `id:${person.klaviyoProfileId}`;
  return 'anonymous';
}

function compactLocation(location: NonNullable<PersonIdentity['location']>): ProfileLocation | undefined {
  const compact: ProfileLocation = {
    ...optional('address1', location.address1),
    ...optional('address2', location.address2),
    ...optional('city', location.city),
    ...optional('country', location.country),
    ...optional('region', location.region),
    ...optional('zip', location.zip),
    ...optional('timezone', location.timezone),
  };
  return Object.keys(compact).length === 0 ? undefined : compact;
}

/** `{ [key]: value }` when the value is present, `{}` when it is null: Klaviyo treats null as "clear it". */
export function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
