import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../compat/check.ts';
import { parseSchemaJson, type ParsedSchema } from '../compat/parse-schema.ts';
import { formatVerdict } from './format.ts';

const parsed = (fields: object[], name = 'E'): ParsedSchema => {
  const result = parseSchemaJson({ type: 'record', name, fields });
  if (!result.ok) throw new Error(result.message);
  return result.schema;
};

describe('verdict report', () => {
  it('says a break once even when it breaks against several versions, naming the first', () => {
    const earlier = [1, 2, 3].map((version) => ({ label: `version ${version}`, schema: parsed([]) }));
    const verdict = checkCompatibility(parsed([{ name: 'gift', type: 'string' }]), earlier, 'BACKWARD_TRANSITIVE');
    expect(formatVerdict('s', verdict)).toEqual([
      '✗ s: BREAKING under BACKWARD_TRANSITIVE (against 3 versions (version 1 … version 3))',
      '  - new field `gift` (string) has no default',
      '    breaks: consumers upgraded to the new schema cannot read records already written with version 1: they have no value for it',
      '    fix: add a default to new field `gift` (for an optional field: type ["null", string] with "default": null)',
    ]);
  });

  it('explains a renamed record with the alias that fixes it', () => {
    const verdict = checkCompatibility(parsed([], 'F'), [{ label: 'version 1', schema: parsed([]) }], 'BACKWARD');
    const lines = formatVerdict('s', verdict);
    expect(lines).toContain('  - the event record: type renamed from E to F');
    expect(lines).toContain('    fix: keep the name E, or add "aliases": ["E"] to the renamed type');
  });
});
