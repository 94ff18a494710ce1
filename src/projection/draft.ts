/**
 * What a metric mapper decides: which metric, about whom, with which properties, value and unique_id.
 * The envelope (request ids, time, freshness, Klaviyo's limits) is the same for every metric and is added
 * once, in assemble.ts, so a mapper is only the translation the guide describes.
 */
import type { JsonValue } from '../klaviyo/request.ts';
import type { EventProfile } from './identity.ts';
import type { MetricName } from './metrics.ts';
import type { MajorUnits } from './money.ts';

export type Properties = { readonly [key: string]: JsonValue };

export interface EventDraft {
  readonly kind: 'create-event';
  readonly metric: MetricName;
  readonly uniqueId: string;
  readonly properties: Properties;
  readonly value: MajorUnits | undefined;
  readonly profile: EventProfile;
}

export interface ProfileUpdateDraft {
  readonly kind: 'update-profile';
  readonly profileId: string | undefined;
  readonly lookup: { readonly external_id?: string; readonly email?: string };
  readonly attributes: { readonly email: string };
  readonly profileKey: string;
}

export type RequestDraft = EventDraft | ProfileUpdateDraft;
