/** Small builders shared by the pipeline tests: a KlaviyoRequest and a SourceRecord that look real. */
import type { CreateEventRequest } from '../../src/klaviyo/request.ts';
import type { SourceRecord } from '../../src/pipeline/source-record.ts';

/** A normal-class metric by default: the projector writes it to the base outbound topic (topics.ts classTopic). */
export function createEventRequest(profile: string, uniqueId: string, metric = 'Shipping Update'): CreateEventRequest {
  return {
    v: 1,
    kind: 'create-event',
    requestId: `${uniqueId}:0`,
    profileKey: `external_id:${profile}`,
    source: { eventType: 'OrderPlaced', eventId: `evt-${uniqueId}`, occurredAt: '2026-01-02T03:04:05.000Z' },
    metric,
    uniqueId,
    realtime: false,
    body: {
      data: {
        type: 'event',
        attributes: {
          properties: { orderId: uniqueId },
          time: '2026-01-02T03:04:05.000Z',
          unique_id: uniqueId,
          metric: { data: { type: 'metric', attributes: { name: metric } } },
          profile: { data: { type: 'profile', attributes: { external_id: profile } } },
        },
      },
    },
  };
}

export function sourceRecord(offset: string, value: string | null, topic = 'commerce.order.events'): SourceRecord {
  return {
    topic,
    partition: 2,
    offset,
    timestamp: '1767322800000',
    key: Buffer.from('key-1'),
    value: value === null ? null : Buffer.from(value),
    headers: { traceparent: Buffer.from('00-abc-def-01') },
  };
}
