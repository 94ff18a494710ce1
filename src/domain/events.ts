/**
 * The domain events klaviyo-relay consumes, as one discriminated union. The data types are generated from
 * schemas/**\/*.avsc (src/domain/generated/); this file gives them the `{ type, data }` shape the codec
 * returns, the projection switches on and producers publish.
 *
 * Decoded values are JSON-friendly: timestamp-millis and money amounts (Avro long, minor units) are
 * numbers, optional fields are `T | null`, enums are string literal unions.
 */
import type {
  AccountCreated,
  AccountUpdated,
  EmailChanged,
  InvoiceCreated,
  LeadCaptured,
  OrderPlaced,
  PasswordResetRequested,
  PaymentFailed,
  ShipmentStatusChanged,
} from './generated/types.ts';

export type * from './generated/types.ts';

/** Every domain event type, grouped by producing domain. */
export const DOMAIN_EVENT_TYPES = [
  'AccountCreated',
  'AccountUpdated',
  'EmailChanged',
  'PasswordResetRequested',
  'InvoiceCreated',
  'OrderPlaced',
  'PaymentFailed',
  'ShipmentStatusChanged',
  'LeadCaptured',
] as const;

export type DomainEventType = (typeof DOMAIN_EVENT_TYPES)[number];

export type DomainEvent =
  | { readonly type: 'AccountCreated'; readonly data: AccountCreated }
  | { readonly type: 'AccountUpdated'; readonly data: AccountUpdated }
  | { readonly type: 'EmailChanged'; readonly data: EmailChanged }
  | { readonly type: 'PasswordResetRequested'; readonly data: PasswordResetRequested }
  | { readonly type: 'InvoiceCreated'; readonly data: InvoiceCreated }
  | { readonly type: 'OrderPlaced'; readonly data: OrderPlaced }
  | { readonly type: 'PaymentFailed'; readonly data: PaymentFailed }
  | { readonly type: 'ShipmentStatusChanged'; readonly data: ShipmentStatusChanged }
  | { readonly type: 'LeadCaptured'; readonly data: LeadCaptured };

/** The event of one type, e.g. `DomainEventOf<'OrderPlaced'>`. */
export type DomainEventOf<T extends DomainEventType> = Extract<DomainEvent, { readonly type: T }>;

/** The data (Avro record) of one event type. */
export type EventData<T extends DomainEventType> = DomainEventOf<T>['data'];

export function isDomainEventType(value: unknown): value is DomainEventType {
  return typeof value === 'string' && (DOMAIN_EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * The profile identity an event is about: the customer id, or the lead id for leads (a lead may have no
 * account yet). Used as the Kafka key so one person's events stay in order on one partition.
 */
export function identityKeyOf(event: DomainEvent): string {
  switch (event.type) {
    case 'LeadCaptured':
      return event.data.prospect.customerId ?? `lead:${event.data.leadId}`;
    case 'AccountCreated':
    case 'AccountUpdated':
    case 'EmailChanged':
    case 'PasswordResetRequested':
    case 'InvoiceCreated':
    case 'OrderPlaced':
    case 'PaymentFailed':
    case 'ShipmentStatusChanged':
      return event.data.customer.customerId;
    default:
      return assertNever(event);
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
