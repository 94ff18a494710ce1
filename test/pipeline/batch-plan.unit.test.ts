import { describe, expect, it } from 'vitest';
import { RelayError } from '../../src/errors.ts';
import { DLQ_HEADER, readDeadLetterHeaders } from '../../src/pipeline/dead-letter/headers.ts';
import { OUTBOUND_HEADER } from '../../src/pipeline/outbound-record.ts';
import { createPlanBuilder, planTransaction } from '../../src/pipeline/projector/batch-plan.ts';
import { urgencyRules } from '../../src/klaviyo/urgency.ts';
import * as delivery from '../delivery/fixtures.ts';
import { createEventRequest, sourceRecord } from './fixtures.ts';

const context = {
  outboundTopic: 'klaviyo.requests',
  consumerGroup: 'relay-projector',
  serviceVersion: '0.1.0',
  now: new Date('2026-02-03T04:05:06.000Z'),
  secrets: ['pk_secretsecret'],
};

describe('planTransaction', () => {
  it('routes each request to its class topic; a profile PATCH goes with the Updated Email it precedes', () => {
    const patch = delivery.updateProfileRequest(7, { external_id: 'c-7' }, 'new@example.com');
    const updated = {
      ...delivery.createEventRequest(7, { profile: 'c-7', metric: 'Updated Email' }),
      source: patch.source,
    };
    const topicsOf = (plan: ReturnType<typeof planTransaction>) =>
      plan.topicMessages.map((entry) => [entry.topic, entry.messages.map((message) => String(message.key))]);
    const requests = [
      createEventRequest('p1', 'o1', 'Ordered Product'),
      createEventRequest('p2', 'r2', 'Reset Password'),
      createEventRequest('p3', 's3', 'Shipping Update'),
      patch,
      updated,
    ];
    const project = { kind: 'project' as const, eventType: 'Mixed', requests };
    expect(topicsOf(planTransaction([{ record: sourceRecord('1', 'ok'), outcome: project }], context))).toEqual([
      ['klaviyo.requests', ['external_id:p1', 'external_id:p3']],
      ['klaviyo.requests.urgent', ['external_id:p2']],
      ['klaviyo.requests.high', ['c-7', 'c-7']],
    ]);
    // An operator who makes Updated Email urgent moves its PATCH with it.
    const urgentEmail = { ...context, urgency: urgencyRules({ 'Updated Email': 'urgent' }) };
    const plan = planTransaction([{ record: sourceRecord('1', 'ok'), outcome: project }], urgentEmail);
    expect(topicsOf(plan)[1]).toEqual(['klaviyo.requests.urgent', ['external_id:p2', 'c-7', 'c-7']]);
  });

  it('writes requests keyed by profile, dead letters with original bytes and context, and the next offset', () => {
    const poison = sourceRecord('11', '\u0000garbage');
    const plan = planTransaction(
      [
        {
          record: sourceRecord('10', 'ok'),
          outcome: { kind: 'project', eventType: 'OrderPlaced', requests: [createEventRequest('p1', 'o1')] },
        },
        {
          record: poison,
          outcome: {
            kind: 'dead-letter',
            eventType: undefined,
            stage: 'decode',
            error: new RelayError('NOT_WIRE_FORMAT', 'magic byte missing; key pk_secretsecret'),
            schemaId: undefined,
          },
        },
        {
          record: sourceRecord('12', 'ok'),
          outcome: { kind: 'project', eventType: 'OrderPlaced', requests: [createEventRequest('p2', 'o2')] },
        },
      ],
      context,
    );
    expect(plan.commitOffset).toBe('13');
    expect(plan.requestCount).toBe(2);
    expect(plan.deadLetterCount).toBe(1);
    const [outbound, dlq] = plan.topicMessages;
    expect(outbound?.topic).toBe('klaviyo.requests');
    expect(outbound?.messages.map((message) => message.key)).toEqual(['external_id:p1', 'external_id:p2']);
    expect(outbound?.messages[0]?.headers?.[OUTBOUND_HEADER.metric]).toBe('Shipping Update');
    expect(dlq?.topic).toBe('commerce.order.events.dlq');
    const letter = dlq?.messages[0];
    expect(letter?.key).toEqual(poison.key);
    expect(letter?.value).toEqual(poison.value);
    expect(letter?.headers?.traceparent).toEqual(poison.headers.traceparent);
    const info = readDeadLetterHeaders(letter?.headers);
    expect(info).toMatchObject({
      originalTopic: 'commerce.order.events',
      originalPartition: 2,
      originalOffset: '11',
      stage: 'decode',
      errorCode: 'NOT_WIRE_FORMAT',
      consumerGroup: 'relay-projector',
    });
    expect(String(letter?.headers?.[DLQ_HEADER.errorMessage])).not.toContain('pk_secretsecret');
  });

  it('commits past a chunk made only of dead letters, with no outbound topic in it', () => {
    const plan = planTransaction(
      [
        {
          record: sourceRecord('5', 'x', 'sales.lead.events'),
          outcome: {
            kind: 'dead-letter',
            eventType: 'LeadCaptured',
            stage: 'validate',
            error: new RelayError('VALIDATION_FAILED', 'bad email'),
            schemaId: 3,
          },
        },
      ],
      context,
    );
    expect(plan.topicMessages.map((entry) => entry.topic)).toEqual(['sales.lead.events.dlq']);
    expect(plan.commitOffset).toBe('6');
  });

  it('refuses an empty chunk', () => {
    expect(() => planTransaction([], context)).toThrow(RangeError);
  });
});

describe('createPlanBuilder', () => {
  it('counts the key and value bytes of every message it plans, for the transaction byte budget', () => {
    const builder = createPlanBuilder(context);
    expect(builder.bytes).toBe(0);
    builder.add({
      record: sourceRecord('10', 'ok'),
      outcome: { kind: 'project', eventType: 'OrderPlaced', requests: [createEventRequest('p1', 'o1')] },
    });
    const outbound = builder.build().topicMessages[0]!.messages[0]!;
    const requestBytes = Buffer.byteLength('external_id:p1') + (outbound.value as Buffer).length;
    expect(builder.bytes).toBe(requestBytes);
    builder.add({
      record: sourceRecord('11', 'é-poison'),
      outcome: {
        kind: 'dead-letter',
        eventType: undefined,
        stage: 'decode',
        error: new RelayError('NOT_WIRE_FORMAT', 'magic byte missing'),
        schemaId: undefined,
      },
    });
    expect(builder.count).toBe(2);
    expect(builder.bytes).toBe(requestBytes + 'key-1'.length + Buffer.byteLength('é-poison'));
  });
});
