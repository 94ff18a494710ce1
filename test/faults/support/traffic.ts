// Mixed domain events for the scenarios: the guide's examples with every business key made unique per
// event (so each one is one fact Klaviyo must record once), and people shared between events: every
// PROFILE_GROUP consecutive events belong to one customer, the last of them an EmailChanged (a profile
// PATCH, then Updated Email), so per-profile ordering and the PATCH path are part of every scenario.
// Reset links carry a known token prefix, which the secrets scenario greps for.
import { randomUUID } from 'node:crypto';
import kafkajs from 'kafkajs';
import type { Kafka } from 'kafkajs';
import { createEventEncoder, createRegistryClient } from '../../../src/codec/index.ts';
import { identityKeyOf, type DomainEvent, type DomainEventType } from '../../../src/domain/events.ts';
import { loadExample } from '../../../src/domain/examples.ts';

const { CompressionTypes } = kafkajs;

/** A Klaviyo private key shape (pk_ + 34 characters), used as the relay's and the sandbox's only key. */
export const KNOWN_API_KEY = 'pk_faultsuite0secret0key0a1b2c3d4e5f60';
/** Every reset link's token starts with this; no log line, metric, header or CLI output may contain it. */
export const RESET_TOKEN_PREFIX = 'rsttok9f3e';
export const RESET_HOST = 'www.website.com';

const MIX: readonly DomainEventType[] = [
  'OrderPlaced',
  'AccountCreated',
  'PasswordResetRequested',
  'ShipmentStatusChanged',
  'PaymentFailed',
  'InvoiceCreated',
  'AccountUpdated',
  'LeadCaptured',
];

const UNIQUE_KEYS = new Set(['orderId', 'invoiceId', 'shipmentId', 'paymentAttemptId', 'leadId']);

/** Consecutive events of one customer; the last of each group changes the customer's email. */
export const PROFILE_GROUP = 4;

/** `count` distinct valid events; `run` keeps runs apart when they share the sandbox. */
export function mixedEvents(count: number, run: string): DomainEvent[] {
  return Array.from({ length: count }, (_, index) => {
    const group = Math.floor(index / PROFILE_GROUP);
    const position = index % PROFILE_GROUP;
    const type =
      position === PROFILE_GROUP - 1 ? 'EmailChanged' : (MIX[(group * 3 + position) % MIX.length] ?? 'OrderPlaced');
    return variant(type, index, group, run);
  });
}

function variant(type: DomainEventType, index: number, group: number, run: string): DomainEvent {
  const tag = `${run}-${index}`;
  const person = `${run}-g${group}`;
  const email = `f.${person}@example.com`;
  const newEmail = `f.${person}.new@example.com`;
  const rewrite = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => rewrite(item, ''));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([name, child]) => [name, rewrite(child, name)]));
    }
    if (key === 'eventId') return randomUUID();
    if (key === 'klaviyoProfileId') return null;
    // The customer's email: EmailChanged carries the state after the change.
    if (key === 'email' && typeof value === 'string') return type === 'EmailChanged' ? newEmail : email;
    if (key === 'oldEmail') return email;
    if (key === 'newEmail') return newEmail;
    // One phone per customer: a phone shared by two profiles is a 409 conflict at Klaviyo.
    if (key === 'phone' && typeof value === 'string') return `+1555${String(group).padStart(7, '0')}`;
    if (key === 'customerId' && typeof value === 'string') return `${value}-${person}`;
    if (key === 'resetLink') return `https://${RESET_HOST}/reset/${RESET_TOKEN_PREFIX}${tag.replace(/\W/g, '')}`;
    if (UNIQUE_KEYS.has(key) && typeof value === 'string') return `${value}-${tag}`;
    return value;
  };
  const example = loadExample(type) as DomainEvent;
  // LeadCaptured's prospect has no customerId: its identity is the lead.
  return { type, data: rewrite(example.data, '') } as DomainEvent;
}

export interface EncodedRecord {
  readonly key: string;
  readonly value: Buffer;
}

/** Encodes through the real codec (registering schemas under TopicRecordNameStrategy). */
export async function encodeAll(
  events: readonly DomainEvent[],
  topic: string,
  registryUrl: string,
): Promise<EncodedRecord[]> {
  const encoder = createEventEncoder({ registry: createRegistryClient({ url: registryUrl }) });
  const records: EncodedRecord[] = [];
  for (const event of events) {
    records.push({ key: identityKeyOf(event), value: (await encoder.encode(event, topic)).value });
  }
  return records;
}

/** Sends records in order, in batches, keyed (the default partitioner spreads profiles over partitions). */
export async function sendRecords(
  kafka: Kafka,
  topic: string,
  records: readonly { key: string; value: Buffer | null; headers?: Record<string, string> }[],
  batchSize = 500,
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let start = 0; start < records.length; start += batchSize) {
      await producer.send({
        topic,
        compression: CompressionTypes.None,
        messages: records.slice(start, start + batchSize).map((record) => ({ ...record })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}
