import avro from 'avsc';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadExample } from '../domain/examples.ts';
import { EVENT_SCHEMAS } from '../domain/generated/schemas.ts';
import { createReaderType } from './avro-types.ts';

describe('guarded reader types', () => {
  const reader = createReaderType(EVENT_SCHEMAS.LeadCaptured.schema);
  const writer = avro.Type.forSchema(EVENT_SCHEMAS.LeadCaptured.schema);
  const example = loadExample('LeadCaptured').data;

  it('decode every string exactly as avsc does, ASCII or not (ASCII strings are slices of one Latin-1 copy)', () => {
    // avsc itself is the oracle, except for a map key `__proto__`: its assignment sets the prototype and the
    // entry vanishes, where our reader keeps it as data (tested in decoder.fuzz.unit.test.ts).
    const notProto = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((name) => name !== '__proto__');
    fc.assert(
      fc.property(notProto, fc.string({ maxLength: 80 }), (name, action) => {
        const data = {
          ...example,
          action,
          prospect: { ...example.prospect, firstName: name },
          attributes: { [name]: action },
        };
        const bytes = writer.toBuffer(data);
        expect(JSON.stringify(reader.decode(bytes).value)).toBe(JSON.stringify(writer.decode(bytes).value));
      }),
      { numRuns: 1_000 },
    );
  });

  it('decodes non-ASCII text after ASCII text in the same record', () => {
    const data = { ...example, leadSource: 'Formulaire « livre blanc »', action: 'Müller ☕ 🚀', company: 'ACME' };
    const decoded = reader.decode(writer.toBuffer(data)).value as typeof data;
    expect([decoded.leadSource, decoded.action, decoded.company]).toEqual([
      'Formulaire « livre blanc »',
      'Müller ☕ 🚀',
      'ACME',
    ]);
  });

  it('reports a string running past the end as an invalid (truncated) read', () => {
    const bytes = writer.toBuffer(example);
    expect(reader.decode(bytes.subarray(0, bytes.length - 4)).offset).toBe(-1);
  });
});
