/**
 * Default topics and schema-registry subjects of the domain events, in one place (DESIGN.md §2). Several
 * event types share a topic; subjects follow TopicRecordNameStrategy: `<topic>-<namespace.RecordName>`.
 */
import type { DomainEventType } from './events.ts';
import { EVENT_SCHEMAS } from './generated/schemas.ts';

export const DEFAULT_TOPICS = {
  AccountCreated: 'identity.account.events',
  AccountUpdated: 'identity.account.events',
  EmailChanged: 'identity.account.events',
  PasswordResetRequested: 'identity.account.events',
  InvoiceCreated: 'commerce.order.events',
  OrderPlaced: 'commerce.order.events',
  PaymentFailed: 'commerce.order.events',
  ShipmentStatusChanged: 'logistics.shipment.events',
  LeadCaptured: 'sales.lead.events',
} as const satisfies Record<DomainEventType, string>;

/** The source topics the projector consumes by default, each once. */
export const SOURCE_TOPICS: readonly string[] = [...new Set(Object.values(DEFAULT_TOPICS))];

/** Avro full name of each event's record, e.g. `com.klaviyorelay.commerce.OrderPlaced`. */
export function recordNameOf(type: DomainEventType): string {
  return EVENT_SCHEMAS[type].fullName;
}

/** TopicRecordNameStrategy subject of `type` on `topic` (the default topic unless given). */
export function subjectFor(type: DomainEventType, topic: string = DEFAULT_TOPICS[type]): string {
  return `${topic}-${recordNameOf(type)}`;
}

const TYPE_BY_RECORD_NAME: ReadonlyMap<string, DomainEventType> = new Map(
  (Object.keys(DEFAULT_TOPICS) as DomainEventType[]).map((type) => [recordNameOf(type), type]),
);

/** The event type whose record has this Avro full name, if any (used to pick the reader for a writer). */
export function eventTypeOfRecordName(fullName: string): DomainEventType | undefined {
  return TYPE_BY_RECORD_NAME.get(fullName);
}
