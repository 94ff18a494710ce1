import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { CHANGE_CASES, type ChangeCase } from './change-cases.ts';
import { checkCompatibility, type EarlierVersion } from './check.ts';
import type { CompatibilityLevel } from './levels.ts';
import { parseSchemaJson, type ParsedSchema } from './parse-schema.ts';
import { canRead } from './resolve.ts';

function parsed(json: unknown): ParsedSchema {
  const result = parseSchemaJson(json);
  if (!result.ok) throw new Error(result.message);
  return result.schema;
}

function history(row: ChangeCase): EarlierVersion[] {
  return row.history.map((schema, index) => ({ label: `version ${index + 1}`, schema: parsed(schema) }));
}

const verdict = (row: ChangeCase, level: CompatibilityLevel) =>
  checkCompatibility(parsed(row.candidate), history(row), level);

/** avsc's resolver throws when a reader cannot read a writer: an independent second opinion. */
function avscCanRead(writer: unknown, reader: unknown): boolean {
  try {
    avro.Type.forSchema(reader as avro.Schema).createResolver(avro.Type.forSchema(writer as avro.Schema));
    return true;
  } catch {
    return false;
  }
}

describe('compatibility levels over the change table', () => {
  it.each(CHANGE_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    expect(verdict(row, 'BACKWARD').compatible).toBe(row.backward);
    expect(verdict(row, 'FORWARD').compatible).toBe(row.forward);
    expect(verdict(row, 'FULL').compatible).toBe(row.backward && row.forward);
    expect(verdict(row, 'BACKWARD_TRANSITIVE').compatible).toBe(row.backwardTransitive);
    expect(verdict(row, 'FORWARD_TRANSITIVE').compatible).toBe(row.forwardTransitive);
    expect(verdict(row, 'FULL_TRANSITIVE').compatible).toBe(row.backwardTransitive && row.forwardTransitive);
    expect(verdict(row, 'NONE').compatible).toBe(true);
  });

  it('has at least 15 rows, breaking and compatible ones', () => {
    expect(CHANGE_CASES.length).toBeGreaterThanOrEqual(15);
    expect(CHANGE_CASES.filter((row) => !row.backward || !row.forward).length).toBeGreaterThanOrEqual(8);
    expect(CHANGE_CASES.filter((row) => row.backward && row.forward).length).toBeGreaterThanOrEqual(5);
  });
});

describe('explanations name the field that breaks', () => {
  const breaking = CHANGE_CASES.filter((row) => row.field !== undefined);
  it.each(breaking.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const result = verdict(row, 'FULL_TRANSITIVE');
    expect(result.compatible).toBe(false);
    for (const found of result.breaks) {
      const text = `${found.explanation.change} ${found.explanation.fix}`;
      expect(found.incompatibility.field).toBe(row.field);
      expect(text).toContain(row.field);
    }
  });

  it('says how to fix a new field without default', () => {
    const row = CHANGE_CASES.find((candidate) => candidate.name === 'add required field without default')!;
    const [first] = verdict(row, 'BACKWARD').breaks;
    expect(first?.explanation.fix).toBe(
      'add a default to new field `giftMessage` (for an optional field: type ["null", string] with "default": null)',
    );
    expect(first?.explanation.impact).toContain('cannot read records already written with version 1');
  });

  it('tells who breaks in the forward direction', () => {
    const row = CHANGE_CASES.find((candidate) => candidate.name === 'rename enum symbol, enum without default')!;
    const result = verdict(row, 'FULL');
    const directions = result.breaks.map((found) => found.direction).sort();
    expect(directions).toEqual(['backward', 'forward']);
    const forward = result.breaks.find((found) => found.direction === 'forward')!;
    expect(forward.incompatibility.symbols).toEqual(['SETTLED']);
    expect(forward.explanation.impact).toContain('consumers still on version 1');
  });

  it('explains a one-way widening as such', () => {
    const row = CHANGE_CASES.find((candidate) => candidate.name === 'widen int to long')!;
    const [first] = verdict(row, 'FORWARD').breaks;
    expect(first?.explanation.change).toBe('field `quantity` changed type from int to long');
    expect(first?.explanation.fix).toContain('readable only by upgraded consumers');
  });
});

describe('agreement with avsc resolver (second opinion)', () => {
  // avsc does not apply the Avro 1.9 enum-default rule; rows that rely on it are checked above only.
  const relyOnEnumDefault = (row: ChangeCase) => row.name.includes('enum with default');
  const rows = CHANGE_CASES.filter((row) => !relyOnEnumDefault(row));
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const latest = row.history[row.history.length - 1];
    expect(canRead(parsed(latest).root, parsed(row.candidate).root)).toBe(avscCanRead(latest, row.candidate));
    expect(canRead(parsed(row.candidate).root, parsed(latest).root)).toBe(avscCanRead(row.candidate, latest));
  });
});

describe('resolution rules', () => {
  const promotions: [string, string, boolean][] = [
    ['int', 'long', true],
    ['int', 'float', true],
    ['int', 'double', true],
    ['long', 'float', true],
    ['long', 'double', true],
    ['float', 'double', true],
    ['string', 'bytes', true],
    ['bytes', 'string', true],
    ['long', 'int', false],
    ['double', 'float', false],
    ['boolean', 'int', false],
    ['null', 'string', false],
  ];
  it.each(promotions)('writer %s, reader %s → %s', (writer, reader, expected) => {
    expect(canRead(parsed(writer).root, parsed(reader).root)).toBe(expected);
    expect(avscCanRead(writer, reader)).toBe(expected);
  });

  it('follows recursive types without looping', () => {
    const list = (extra: object[]) => ({
      type: 'record',
      name: 'Node',
      fields: [{ name: 'next', type: ['null', 'Node'], default: null }, ...extra],
    });
    expect(canRead(parsed(list([])).root, parsed(list([{ name: 'v', type: 'int', default: 0 }])).root)).toBe(true);
    expect(canRead(parsed(list([])).root, parsed(list([{ name: 'v', type: 'int' }])).root)).toBe(false);
  });

  it('reads a writer union only if every branch is readable', () => {
    expect(canRead(parsed(['null', 'int']).root, parsed(['null', 'long']).root)).toBe(true);
    expect(canRead(parsed(['null', 'int']).root, parsed('long').root)).toBe(false);
  });

  it('reports unparseable schemas as data, not exceptions', () => {
    const result = parseSchemaJson({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/not a valid Avro schema/);
  });
});
