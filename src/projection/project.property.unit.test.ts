/**
 * Properties of the projection over arbitrary events (fast-check): deterministic, never an untyped error,
 * always inside Klaviyo's contract, unique_ids stable for one fact and distinct for distinct facts, values
 * finite and in major units.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, type DomainEvent } from '../domain/events.ts';
import { FAILURE_POLICY, isRelayError } from '../errors.ts';
import type { JsonValue, KlaviyoRequest } from '../klaviyo/request.ts';
import type { ProjectionContext } from './context.ts';
import { currencyExponent } from './money.ts';
import { project } from './project.ts';
import {
  anyDomainEvent,
  occurredAt,
  orderPlaced,
  paymentFailed,
  shipmentStatusChanged,
} from './testing/arbitraries.ts';
import { contextFor, expectContractValid } from './testing/spec.ts';

const RUNS = { numRuns: 150 };

function requestsOf(event: DomainEvent, ctx: ProjectionContext = contextFor(event)): readonly KlaviyoRequest[] {
  const result = project(event, ctx);
  if (!result.ok) throw new Error(`${event.type}: ${result.error.code} ${result.error.message}`);
  return result.requests;
}

function uniqueIdsOf(event: DomainEvent): string[] {
  return requestsOf(event).flatMap((request) =>
    request.kind === 'create-event' ? [`${request.metric}|${request.uniqueId}`] : [],
  );
}

function numbersIn(value: JsonValue | object | undefined): number[] {
  if (typeof value === 'number') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap((child: JsonValue) => numbersIn(child));
}

describe('projection properties', () => {
  it('is deterministic: the same event and context give identical requests', () => {
    fc.assert(
      fc.property(anyDomainEvent, (event) => {
        const ctx = contextFor(event);
        expect(project(structuredClone(event), ctx)).toEqual(project(event, ctx));
      }),
      RUNS,
    );
  });

  it('projects every valid event into requests inside Klaviyo’s contract (closed mode)', () => {
    fc.assert(
      fc.property(anyDomainEvent, (event) => {
        // Klaviyo receives them when the projection ran (the context's clock), not when this test runs.
        for (const request of requestsOf(event)) expectContractValid(request, contextFor(event).now);
      }),
      RUNS,
    );
  });

  it('never throws and never fails untyped, even for events at any time or with junk data', () => {
    const junk = fc.record({
      type: fc.constantFrom(...DOMAIN_EVENT_TYPES, 'Unknown'),
      data: fc.oneof(fc.anything(), fc.record({ eventId: fc.anything(), occurredAt: fc.anything() })),
    });
    fc.assert(
      fc.property(fc.oneof(anyDomainEvent, junk as fc.Arbitrary<DomainEvent>), occurredAt, (event, now) => {
        const result = project(event, contextFor(event, { now }));
        if (!result.ok) {
          expect(isRelayError(result.error)).toBe(true);
          expect(Object.keys(FAILURE_POLICY)).toContain(result.error.code);
        }
      }),
      RUNS,
    );
  });

  it('fails valid events only with the projection codes of the failure policy', () => {
    fc.assert(
      fc.property(anyDomainEvent, occurredAt, (event, now) => {
        const result = project(event, contextFor(event, { now, identifiers: ['email'] }));
        if (!result.ok) expect(['KLAVIYO_LIMIT_EXCEEDED', 'NO_PROFILE_IDENTIFIER']).toContain(result.error.code);
      }),
      RUNS,
    );
  });

  it('gives a republished fact (new eventId) the same unique_ids where the key is a business key', () => {
    fc.assert(
      fc.property(fc.oneof(orderPlaced, paymentFailed, shipmentStatusChanged), fc.uuid(), (event, eventId) => {
        const republished = { ...event, data: { ...event.data, eventId } } as DomainEvent;
        expect(uniqueIdsOf(republished)).toEqual(uniqueIdsOf(event));
      }),
      RUNS,
    );
  });

  it('keeps two shipments of one order, and two statuses of one shipment, apart', () => {
    fc.assert(
      fc.property(shipmentStatusChanged, fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/), (event, otherShipment) => {
        fc.pre(otherShipment !== event.data.shipmentId);
        const second = { ...event, data: { ...event.data, shipmentId: otherShipment } };
        const delivered = {
          ...event,
          data: { ...event.data, status: event.data.status === 'Delivered' ? 'Shipped' : 'Delivered' },
        } as const;
        expect(uniqueIdsOf(second)).not.toEqual(uniqueIdsOf(event));
        expect(uniqueIdsOf(delivered)).not.toEqual(uniqueIdsOf(event));
      }),
      RUNS,
    );
  });

  it('keeps two payment attempts of one order apart', () => {
    fc.assert(
      fc.property(paymentFailed, fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/), (event, otherAttempt) => {
        fc.pre(otherAttempt !== event.data.paymentAttemptId);
        const retry = { ...event, data: { ...event.data, paymentAttemptId: otherAttempt } };
        expect(uniqueIdsOf(retry)).not.toEqual(uniqueIdsOf(event));
      }),
      RUNS,
    );
  });

  it('gives every line of an order its own Ordered Product unique_id', () => {
    fc.assert(
      fc.property(orderPlaced, (event) => {
        const lineIds = new Set(event.data.lineItems.map((item) => item.lineItemId));
        const products = uniqueIdsOf(event).filter((key) => key.startsWith('Ordered Product|'));
        expect(new Set(products).size).toBe(lineIds.size);
      }),
      RUNS,
    );
  });

  it('sends only finite numbers, and values in major units of the event currency', () => {
    fc.assert(
      fc.property(fc.oneof(orderPlaced, paymentFailed, shipmentStatusChanged), (event) => {
        const exponent = currencyExponent(event.data.currency)!;
        for (const request of requestsOf(event)) {
          expect(numbersIn(request.body).every(Number.isFinite)).toBe(true);
          if (request.kind !== 'create-event' || request.metric === 'Ordered Product') continue;
          const { value, value_currency } = request.body.data.attributes;
          expect(value_currency).toBe(event.data.currency);
          expect(Math.round(value! * 10 ** exponent)).toBe(event.data.totalMinor);
        }
      }),
      RUNS,
    );
  });
});
