import { describe, expect, it } from 'vitest';
import type { RuleId } from './finding.ts';
import { lintSchemas } from './lint.ts';

const doc = 'documented';
const envelope = [
  { name: 'eventId', type: { type: 'string', logicalType: 'uuid' }, doc },
  { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' }, doc },
  { name: 'source', type: 'string', doc },
  { name: 'correlationId', type: ['null', 'string'], default: null, doc },
];

function event(fields: object[] = [], extra: object = {}): Record<string, unknown> {
  return {
    type: 'record',
    name: 'OrderPlaced',
    namespace: 'com.klaviyorelay.commerce',
    doc,
    fields: [...envelope, ...fields],
    ...extra,
  };
}

const lint = (schema: unknown, path = 'commerce/OrderPlaced.avsc') =>
  lintSchemas([{ path, text: JSON.stringify(schema) }]);
const rules = (schema: unknown, path?: string) => lint(schema, path).map((found) => found.ruleId);

describe('schemas lint', () => {
  it('passes a schema that follows every convention', () => {
    const money = [
      { name: 'currency', type: 'string', doc },
      { name: 'totalMinor', type: 'long', doc },
      {
        name: 'status',
        type: { type: 'enum', name: 'Status', doc, symbols: ['Unknown', 'Paid'], default: 'Unknown' },
        doc,
      },
      { name: 'note', type: ['null', 'string'], default: null, doc },
    ];
    expect(lint(event(money))).toEqual([]);
  });

  const cases: [string, unknown, RuleId, string][] = [
    ['not JSON', '{', 'avro/parse', '$'],
    ['not a record', { type: 'string' }, 'event/top-level-record', '$'],
    ['foreign namespace', event([], { namespace: 'org.other' }), 'naming/namespace', '$'],
    [
      'namespace of another domain',
      event([], { namespace: 'com.klaviyorelay.identity' }),
      'naming/namespace',
      '$.namespace',
    ],
    ['record not named like the file', event([], { name: 'OrderSubmitted' }), 'naming/type-name', '$.name'],
    [
      'snake_case field',
      event([{ name: 'gift_message', type: 'string', doc }]),
      'naming/field-name',
      '$.fields[4].name',
    ],
    ['record without doc', event([], { doc: '' }), 'doc/record', '$'],
    ['field without doc', event([{ name: 'note', type: 'string' }]), 'doc/field', '$.fields[4]'],
    [
      'null second',
      event([{ name: 'note', type: ['string', 'null'], default: 'x', doc }]),
      'optional/null-union',
      '$.fields[4]',
    ],
    [
      'optional without default',
      event([{ name: 'note', type: ['null', 'string'], doc }]),
      'optional/null-union',
      '$.fields[4]',
    ],
    [
      'enum without default',
      event([{ name: 'status', type: { type: 'enum', name: 'Status', doc, symbols: ['A'] }, doc }]),
      'enum/default',
      '$.fields[4].type',
    ],
    [
      'money as double',
      event([
        { name: 'currency', type: 'string', doc },
        { name: 'totalPrice', type: 'double', doc },
      ]),
      'money/minor-units',
      '$.fields[5]',
    ],
    [
      'minor units as int',
      event([
        { name: 'currency', type: 'string', doc },
        { name: 'totalMinor', type: 'int', doc },
      ]),
      'money/minor-units',
      '$.fields[5]',
    ],
    ['amount without currency', event([{ name: 'totalMinor', type: 'long', doc }]), 'money/minor-units', '$.fields[4]'],
    ['missing envelope field', { ...event(), fields: envelope.slice(1) }, 'envelope/fields', '$.fields'],
    [
      'envelope field with wrong type',
      { ...event(), fields: [{ name: 'eventId', type: 'string', doc }, ...envelope.slice(1)] },
      'envelope/fields',
      '$.fields[0]',
    ],
  ];

  it.each(cases)('%s → %s at %s', (_name, schema, ruleId, jsonPath) => {
    const findings =
      typeof schema === 'string' ? lintSchemas([{ path: 'commerce/OrderPlaced.avsc', text: schema }]) : lint(schema);
    const found = findings.find((candidate) => candidate.ruleId === ruleId);
    expect(found, JSON.stringify(findings)).toBeDefined();
    expect(found?.jsonPath).toBe(jsonPath);
    expect(found?.file).toBe('commerce/OrderPlaced.avsc');
    expect(found?.fix.length).toBeGreaterThan(10);
  });

  it('finds a money amount whose currency is in an enclosing record', () => {
    const line = { type: 'record', name: 'Line', doc, fields: [{ name: 'priceMinor', type: 'long', doc }] };
    expect(
      rules(
        event([
          { name: 'currency', type: 'string', doc },
          { name: 'lines', type: { type: 'array', items: line }, doc },
        ]),
      ),
    ).toEqual([]);
    expect(rules(event([{ name: 'lines', type: { type: 'array', items: line }, doc }]))).toEqual(['money/minor-units']);
  });

  it('reports duplicate events and diverging copies of a shared type across files', () => {
    const customer = (customerDoc: string) => ({
      name: 'customer',
      type: {
        type: 'record',
        name: 'Customer',
        namespace: 'com.klaviyorelay.common',
        doc: customerDoc,
        fields: [{ name: 'id', type: 'string', doc }],
      },
      doc,
    });
    const findings = lintSchemas([
      { path: 'commerce/OrderPlaced.avsc', text: JSON.stringify(event([customer('a')])) },
      {
        path: 'commerce/x/OrderPlaced.avsc',
        text: JSON.stringify(event([customer('b')], { namespace: 'com.klaviyorelay.x' })),
      },
      { path: 'commerce/Again.avsc', text: JSON.stringify(event([customer('a')], { name: 'Again' })) },
      { path: 'commerce/OrderPlacedCopy.avsc', text: JSON.stringify(event([customer('a')])) },
    ]);
    const unique = findings.filter((found) => found.ruleId === 'names/unique');
    expect(unique.map((found) => [found.file, found.message])).toEqual([
      [
        'commerce/OrderPlacedCopy.avsc',
        'event com.klaviyorelay.commerce.OrderPlaced is also declared by commerce/OrderPlaced.avsc',
      ],
      [
        'commerce/x/OrderPlaced.avsc',
        'com.klaviyorelay.common.Customer is defined differently here than in commerce/OrderPlaced.avsc',
      ],
    ]);
  });
});
