/**
 * Validation of decoded domain events (zod): what Avro cannot say. Email syntax, E.164 phones, ISO 4217
 * currencies, non-negative amounts and quantities, event times Klaviyo accepts, strings inside Klaviyo's
 * size limit, and reset links that are https on an allow-listed host. The allow-list and the clock are
 * injected (from Config and the composition root), never read from the environment here.
 */
import { z } from 'zod';
import { RelayError } from '../errors.ts';
import { KLAVIYO_LIMITS } from '../projection/limits.ts';
import { currencyExponent } from '../projection/money.ts';
import { EARLIEST_EVENT_TIME_MS } from '../projection/time.ts';
import type { DomainEvent, DomainEventType } from './events.ts';
import type * as G from './generated/types.ts';

export interface ValidatorOptions {
  /** Hosts a PasswordResetLink may point at (RELAY_RESET_LINK_HOSTS), compared exactly with the URL's host. */
  readonly resetLinkHosts: readonly string[];
  /** Epoch milliseconds now; events may be at most one year ahead of it. */
  readonly now?: () => number;
}

export type ValidationResult =
  { readonly ok: true; readonly event: DomainEvent } | { readonly ok: false; readonly error: RelayError };

export interface ValidateHints {
  /**
   * Size in bytes of the encoding the event was decoded from. Avro stores strings as UTF-8, so when
   * three times this size (invalid bytes decode to U+FFFD, 3 bytes) is within Klaviyo's string limit, no
   * string can exceed it and the size walk is skipped.
   */
  readonly encodedBytes?: number;
}

export interface EventValidator {
  validate(event: DomainEvent, hints?: ValidateHints): ValidationResult;
}

const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const MAX_REPORTED_ISSUES = 10;

/** A UTF-16 unit never takes more than 3 UTF-8 bytes: short strings need no byte count. */
const fitsKlaviyoString = (value: string): boolean =>
  value.length * 3 <= KLAVIYO_LIMITS.maxStringBytes || Buffer.byteLength(value) <= KLAVIYO_LIMITS.maxStringBytes;

/*
 * String sizes are checked by one walk over the event (oversizedStringPath) rather than a zod refinement
 * on each of ~60 string fields: the walk is skipped when the encoded record is too small to hold a string
 * over the limit, which is the case for nearly every record, and a per-field refinement halves throughput.
 */
const text = z.string();
const id = z.string().min(1).max(1_000);
const email = z.email({ message: 'must be an email address' }).max(254);
const phone = z.string().regex(/^\+[1-9]\d{1,14}$/, { message: 'must be an E.164 phone number such as +15551234567' });
const currency = z
  .string()
  .refine((code) => currencyExponent(code) !== undefined, { message: 'must be an ISO 4217 currency code' });
const minorUnits = z.int({ message: 'must be an integer amount in minor units' }).nonnegative();
const count = z.int().nonnegative();
const countryCode = z.string().regex(/^[A-Z]{2}$/, { message: 'must be an ISO 3166-1 alpha-2 country code' });
const epochMillis = z.int();

const location = z.object({
  address1: text.nullable(),
  address2: text.nullable(),
  city: text.nullable(),
  region: text.nullable(),
  country: text.nullable(),
  zip: text.nullable(),
  timezone: text.nullable(),
}) satisfies z.ZodType<G.Location>;

const customer = z.object({
  customerId: id,
  email: email.nullable(),
  phone: phone.nullable(),
  firstName: text.nullable(),
  lastName: text.nullable(),
  location: location.nullable(),
  klaviyoProfileId: id.nullable(),
}) satisfies z.ZodType<G.Customer>;

const postalAddress = z.object({
  firstName: text.nullable(),
  lastName: text.nullable(),
  company: text.nullable(),
  address1: text,
  address2: text.nullable(),
  city: text,
  regionCode: text.nullable(),
  countryCode,
  zip: text.nullable(),
  phone: phone.nullable(),
}) satisfies z.ZodType<G.PostalAddress>;

const lineItem = z.object({
  lineItemId: id,
  productId: id,
  sku: text.nullable(),
  name: text,
  quantity: count,
  unitPriceMinor: minorUnits,
  rowTotalMinor: minorUnits,
  productUrl: text.nullable(),
  imageUrl: text.nullable(),
  categories: z.array(text),
}) satisfies z.ZodType<G.LineItem>;

const discount = z.object({ code: text, valueMinor: minorUnits }) satisfies z.ZodType<G.Discount>;

const order = {
  currency,
  totalMinor: minorUnits,
  lineItems: z.array(lineItem),
  discount: discount.nullable(),
};

const propertyValue = z.union([z.null(), text, z.boolean(), z.number().refine(Number.isFinite), z.array(text)]);

const prospect = z.object({
  customerId: id.nullable(),
  email: email.nullable(),
  phone: phone.nullable(),
  firstName: text.nullable(),
  lastName: text.nullable(),
  title: text.nullable(),
  location: location.nullable(),
  klaviyoProfileId: id.nullable(),
}) satisfies z.ZodType<G.Prospect>;

/** Builds one validator; its zod schemas are built once here, not per event. */
export function createEventValidator(options: ValidatorOptions): EventValidator {
  const now = options.now ?? Date.now;
  const allowedHosts = new Set(options.resetLinkHosts.map((host) => host.trim().toLowerCase()).filter(Boolean));

  const occurredAt = epochMillis.superRefine((value, context) => {
    if (value < EARLIEST_EVENT_TIME_MS) context.addIssue({ code: 'custom', message: 'must be after 2000-01-01' });
    else if (value > now() + ONE_YEAR_MS)
      context.addIssue({ code: 'custom', message: 'must be at most one year ahead' });
  });

  const envelope = {
    eventId: z.uuid({ message: 'must be a UUID' }),
    occurredAt,
    source: id,
    correlationId: id.nullable(),
  };

  const resetLink = z.string().superRefine((value, context) => {
    const problem = resetLinkProblem(value, allowedHosts);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
  });

  const schemas = {
    AccountCreated: z.object({ ...envelope, customer }) satisfies z.ZodType<G.AccountCreated>,
    AccountUpdated: z.object({
      ...envelope,
      customer,
      updateType: text,
      changes: z.array(
        z.object({ property: id, label: text.nullable(), oldValue: propertyValue, newValue: propertyValue }),
      ),
    }) satisfies z.ZodType<G.AccountUpdated>,
    EmailChanged: z
      .object({ ...envelope, customer, oldEmail: email, newEmail: email })
      .refine((event) => event.customer.email === null || event.customer.email === event.newEmail, {
        message: 'must equal newEmail when present',
        path: ['customer', 'email'],
      }) satisfies z.ZodType<G.EmailChanged>,
    PasswordResetRequested: z.object({
      ...envelope,
      customer,
      resetLink,
      resetLinkExpiresAt: epochMillis.nullable(),
    }) satisfies z.ZodType<G.PasswordResetRequested>,
    InvoiceCreated: z.object({
      ...envelope,
      customer,
      invoiceId: id,
      orderId: id,
      ...order,
      billingAddress: postalAddress.nullable(),
      shippingAddress: postalAddress.nullable(),
      missingInformation: z.array(text),
    }) satisfies z.ZodType<G.InvoiceCreated>,
    OrderPlaced: z.object({
      ...envelope,
      customer,
      orderId: id,
      ...order,
      billingAddress: postalAddress.nullable(),
      shippingAddress: postalAddress.nullable(),
      paymentMethod: text.nullable(),
    }) satisfies z.ZodType<G.OrderPlaced>,
    PaymentFailed: z.object({
      ...envelope,
      customer,
      orderId: id,
      paymentAttemptId: id,
      failureReason: text,
      nextSteps: text.nullable(),
      ...order,
      billingAddress: postalAddress.nullable(),
      shippingAddress: postalAddress.nullable(),
    }) satisfies z.ZodType<G.PaymentFailed>,
    ShipmentStatusChanged: z.object({
      ...envelope,
      customer,
      shipmentId: id,
      orderId: id,
      status: z.enum(['Shipped', 'OutForDelivery', 'Delivered']),
      carrier: text.nullable(),
      trackingNumber: text.nullable(),
      trackingUrl: text.nullable(),
      ...order,
      shippingAddress: postalAddress.nullable(),
    }) satisfies z.ZodType<G.ShipmentStatusChanged>,
    LeadCaptured: z.object({
      ...envelope,
      leadId: id,
      prospect,
      leadSource: text,
      action: text,
      company: text.nullable(),
      companySize: count.nullable(),
      industry: text.nullable(),
      countryCode: countryCode.nullable(),
      regionCode: text.nullable(),
      attributes: z.record(z.string(), text),
    }) satisfies z.ZodType<G.LeadCaptured>,
  } satisfies Record<DomainEventType, z.ZodType>;

  return {
    validate(event, hints) {
      const schema = schemas[event.type] as z.ZodType | undefined;
      if (schema === undefined) {
        return {
          ok: false,
          error: new RelayError('UNKNOWN_EVENT_TYPE', `unknown event type ${String(event.type)}`, {
            stage: 'validate',
          }),
        };
      }
      const result = schema.safeParse(event.data);
      if (!result.success) return { ok: false, error: validationError(event.type, result.error) };
      const small = hints?.encodedBytes !== undefined && hints.encodedBytes * 3 <= KLAVIYO_LIMITS.maxStringBytes;
      const oversized = small ? undefined : oversizedStringPath(event.data, '');
      if (oversized !== undefined) {
        const message = "is larger than Klaviyo's 100 KB string limit";
        return {
          ok: false,
          error: new RelayError('VALIDATION_FAILED', `${event.type}.${oversized} ${message}`, {
            detail: { eventType: event.type, path: oversized, issues: [{ path: oversized, message }], issueCount: 1 },
          }),
        };
      }
      // The decoded value is returned as it is: zod only checks it (copying it would cost throughput).
      return { ok: true, event };
    },
  };
}

/** Why a reset link may not be sent, or undefined when it may. Parsed by the WHATWG URL parser. */
export function resetLinkProblem(link: string, allowedHosts: ReadonlySet<string>): string | undefined {
  if (!URL.canParse(link)) return 'must be an absolute URL';
  const url = new URL(link);
  if (url.protocol !== 'https:') return 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (allowedHosts.size === 0) return 'cannot be checked: no reset-link hosts are configured (RELAY_RESET_LINK_HOSTS)';
  if (!allowedHosts.has(url.host)) return 'must point at a host listed in RELAY_RESET_LINK_HOSTS';
  if (!fitsKlaviyoString(link)) return "is larger than Klaviyo's 100 KB string limit";
  return undefined;
}

/** Dotted path of the first string (value or map key) over Klaviyo's size limit, if any. */
function oversizedStringPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return fitsKlaviyoString(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = oversizedStringPath(value[index], join(path, String(index)));
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    if (!fitsKlaviyoString(key)) return join(path, key.slice(0, 40));
    const found = oversizedStringPath(child, join(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function validationError(type: string, error: z.ZodError): RelayError {
  const issues = error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
  const first = issues[0] ?? { path: '', message: 'is invalid' };
  // Messages name fields, never their values: values can be personal data or a reset link.
  return new RelayError('VALIDATION_FAILED', `${type}.${first.path} ${first.message}`, {
    detail: { eventType: type, path: first.path, issues, issueCount: error.issues.length },
  });
}
