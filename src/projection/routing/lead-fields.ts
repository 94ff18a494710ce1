/**
 * The lead fields a routing rule may match on, by name. Rules name fields as data (in a YAML file), so the
 * names are checked when the file is loaded: a misspelt field would otherwise never match, silently.
 */

/** What routing reads from a LeadCaptured event (structurally a subset of it). */
export interface RoutableLead {
  readonly leadId: string;
  readonly leadSource: string;
  readonly action: string;
  readonly company: string | null;
  readonly companySize: number | null;
  readonly industry: string | null;
  readonly countryCode: string | null;
  readonly regionCode: string | null;
  readonly attributes: { readonly [key: string]: string };
  readonly prospect: {
    readonly title: string | null;
    readonly email: string | null;
    readonly location: {
      readonly country: string | null;
      readonly region: string | null;
      readonly city: string | null;
    } | null;
  };
}

export type LeadFieldValue = string | number | null;

const FIELD_READERS = {
  leadSource: (lead) => lead.leadSource,
  action: (lead) => lead.action,
  company: (lead) => lead.company,
  companySize: (lead) => lead.companySize,
  industry: (lead) => lead.industry,
  countryCode: (lead) => lead.countryCode,
  regionCode: (lead) => lead.regionCode,
  'prospect.title': (lead) => lead.prospect.title,
  'prospect.emailDomain': (lead) => lead.prospect.email?.split('@').at(-1) ?? null,
  'prospect.location.country': (lead) => lead.prospect.location?.country ?? null,
  'prospect.location.region': (lead) => lead.prospect.location?.region ?? null,
  'prospect.location.city': (lead) => lead.prospect.location?.city ?? null,
} as const satisfies Record<string, (lead: RoutableLead) => LeadFieldValue>;

export const LEAD_FIELD_NAMES: readonly string[] = [...Object.keys(FIELD_READERS), 'attributes.<key>'];

const ATTRIBUTE_PREFIX = 'attributes.';

export function isLeadField(name: string): boolean {
  return name in FIELD_READERS || (name.startsWith(ATTRIBUTE_PREFIX) && name.length > ATTRIBUTE_PREFIX.length);
}

/** The value of a named field of a lead; `attributes.<key>` reads the free-form attributes map. */
export function readLeadField(lead: RoutableLead, name: string): LeadFieldValue {
  if (name.startsWith(ATTRIBUTE_PREFIX)) return lead.attributes[name.slice(ATTRIBUTE_PREFIX.length)] ?? null;
  const reader = (FIELD_READERS as Record<string, ((lead: RoutableLead) => LeadFieldValue) | undefined>)[name];
  return reader === undefined ? null : reader(lead);
}
