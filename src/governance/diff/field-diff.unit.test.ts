import { describe, expect, it } from 'vitest';
import { parseSchemaJson } from '../compat/parse-schema.ts';
import { diffSchemas, formatChanges } from './field-diff.ts';

const root = (fields: object[]) => {
  const result = parseSchemaJson({ type: 'record', name: 'E', fields });
  if (!result.ok) throw new Error(result.message);
  return result.schema.root;
};

describe('schemas diff', () => {
  it('lists added, removed, renamed and changed fields at any depth', () => {
    const line = (fields: object[]) => ({
      name: 'lines',
      type: { type: 'array', items: { type: 'record', name: 'Line', fields } },
    });
    const before = root([
      { name: 'total', type: 'long' },
      { name: 'note', type: 'string' },
      { name: 'status', type: { type: 'enum', name: 'S', symbols: ['A', 'B'] } },
      line([{ name: 'sku', type: 'string' }]),
    ]);
    const after = root([
      { name: 'totalMinor', type: 'long', aliases: ['total'] },
      { name: 'status', type: { type: 'enum', name: 'S', symbols: ['A', 'C'], default: 'A' } },
      line([
        { name: 'sku', type: 'string' },
        { name: 'qty', type: 'int', default: 1 },
      ]),
      { name: 'gift', type: ['null', 'string'], default: null },
    ]);
    expect(formatChanges(diffSchemas(before, after))).toEqual([
      '~ total → totalMinor (alias)',
      '~ status: symbols added: C; symbols removed: B; enum default (none) → A',
      '+ lines[].qty: int (default 1)',
      '+ gift: union[null, string] (default null)',
      '- note: string',
    ]);
  });

  it('finds nothing between identical schemas', () => {
    const fields = [{ name: 'a', type: 'string' }];
    expect(diffSchemas(root(fields), root(fields))).toEqual([]);
  });
});
