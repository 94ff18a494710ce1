import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { DOMAIN_EVENT_TYPES, identityKeyOf } from './events.ts';
import { loadExample } from './examples.ts';
import { EVENT_SCHEMAS } from './generated/schemas.ts';
import { DEFAULT_TOPICS, SOURCE_TOPICS, eventTypeOfRecordName, subjectFor } from './topics.ts';

describe('schemas/examples', () => {
  it.each(DOMAIN_EVENT_TYPES)('%s example fits its Avro schema and survives an Avro round trip', (type) => {
    const example = loadExample(type);
    expect(example.type).toBe(type);
    const avroType = avro.Type.forSchema(EVENT_SCHEMAS[type].schema);
    const invalidPaths: string[] = [];
    avroType.isValid(example.data, { errorHook: (path) => invalidPaths.push(path.join('.')) });
    expect(invalidPaths).toEqual([]);
    expect({ ...avroType.fromBuffer(avroType.toBuffer(example.data)) }).toEqual(example.data);
  });

  it('keys customer events by customer id and leads by lead id', () => {
    expect(identityKeyOf(loadExample('OrderPlaced'))).toBe('1234');
    expect(identityKeyOf(loadExample('LeadCaptured'))).toBe('lead:1234');
  });
});

describe('topics', () => {
  it('names subjects by TopicRecordNameStrategy', () => {
    expect(subjectFor('OrderPlaced')).toBe('commerce.order.events-com.klaviyorelay.commerce.OrderPlaced');
    expect(subjectFor('LeadCaptured', 'leads.test')).toBe('leads.test-com.klaviyorelay.sales.LeadCaptured');
  });

  it('maps every record name back to its event type', () => {
    for (const type of DOMAIN_EVENT_TYPES) expect(eventTypeOfRecordName(EVENT_SCHEMAS[type].fullName)).toBe(type);
    expect(eventTypeOfRecordName('com.example.Other')).toBeUndefined();
  });

  it('lists the four source topics of DESIGN.md once each', () => {
    expect([...SOURCE_TOPICS].sort()).toEqual([
      'commerce.order.events',
      'identity.account.events',
      'logistics.shipment.events',
      'sales.lead.events',
    ]);
    expect(Object.keys(DEFAULT_TOPICS).sort()).toEqual([...DOMAIN_EVENT_TYPES].sort());
  });
});
