/**
 * Benchmark traffic: distinct, valid domain events built from the guide's examples, numbered so that every
 * one projects to Klaviyo events with their own unique_ids (the latency benchmark matches on them). Fresh
 * `occurredAt` keeps transactional events inside their freshness windows, so none is backfilled.
 */
import { randomUUID } from 'node:crypto';
import type { DomainEvent, EventData } from '../../src/domain/events.ts';
import { loadExample } from '../../src/domain/examples.ts';

/** Reset links must point at an allowed host (RELAY_RESET_LINK_HOSTS); the examples use this one. */
export const RESET_LINK_HOST = 'www.website.com';

/** The mixed workload of the issue: OrderPlaced, AccountCreated, ShipmentStatusChanged in turn. */
export const MIXED_TYPES = ['OrderPlaced', 'AccountCreated', 'ShipmentStatusChanged'] as const;

const order = loadExample('OrderPlaced').data;
const account = loadExample('AccountCreated').data;
const shipment = loadExample('ShipmentStatusChanged').data;
const reset = loadExample('PasswordResetRequested').data;
const SHIPMENT_STATUSES = ['Shipped', 'OutForDelivery', 'Delivered'] as const;

/** 10,000 distinct customers: enough profiles for the dispatcher's per-profile ordering to parallelise. */
function customerFor<C extends { readonly customerId: string; readonly email: string | null }>(
  template: C,
  n: number,
): C {
  const id = n % 10_000;
  return { ...template, customerId: `bench-${id}`, email: `bench.${id}@example.com`, klaviyoProfileId: null };
}

function envelope(n: number, runId: string, now: number) {
  return { eventId: randomUUID(), occurredAt: now, correlationId: `${runId}-${n}` } as const;
}

export function mixedEvent(n: number, runId: string, now: number): DomainEvent {
  const type = MIXED_TYPES[n % MIXED_TYPES.length]!;
  switch (type) {
    case 'OrderPlaced': {
      const data: EventData<'OrderPlaced'> = {
        ...order,
        ...envelope(n, runId, now),
        customer: customerFor(order.customer, n),
        orderId: `${runId}-order-${n}`,
      };
      return { type, data };
    }
    case 'AccountCreated': {
      const data: EventData<'AccountCreated'> = {
        ...account,
        ...envelope(n, runId, now),
        customer: { ...customerFor(account.customer, n), customerId: `${runId}-account-${n}` },
      };
      return { type, data };
    }
    case 'ShipmentStatusChanged': {
      const data: EventData<'ShipmentStatusChanged'> = {
        ...shipment,
        ...envelope(n, runId, now),
        customer: customerFor(shipment.customer, n),
        shipmentId: `${runId}-shipment-${n}`,
        status: SHIPMENT_STATUSES[n % SHIPMENT_STATUSES.length]!,
      };
      return { type, data };
    }
  }
}

export function resetPasswordEvent(n: number, runId: string, now: number): DomainEvent {
  const data: EventData<'PasswordResetRequested'> = {
    ...reset,
    ...envelope(n, runId, now),
    customer: customerFor(reset.customer, n),
    resetLink: `https://${RESET_LINK_HOST}/reset/${runId}-${n}`,
    resetLinkExpiresAt: now + 3_600_000,
  };
  return { type: 'PasswordResetRequested', data };
}
