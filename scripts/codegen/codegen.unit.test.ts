import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readSchemaFiles, staleFiles } from './files.ts';
import { CodegenError, HEADER, renderGeneratedFiles, type SchemaFile } from './render.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('codegen', () => {
  it('generated files in src/domain/generated match the schemas (run `npm run codegen` when this fails)', () => {
    const generated = renderGeneratedFiles(readSchemaFiles(root));
    expect(generated.map((file) => file.path)).toEqual([
      'src/domain/generated/types.ts',
      'src/domain/generated/schemas.ts',
    ]);
    expect(staleFiles(root, generated)).toEqual([]);
  });

  it('starts every generated file with the DO-NOT-EDIT header', () => {
    for (const file of renderGeneratedFiles(readSchemaFiles(root))) expect(file.content.startsWith(HEADER)).toBe(true);
  });

  it('renders records, enums, unions, arrays, maps and logical types', () => {
    const [types] = renderGeneratedFiles([
      {
        path: 'schemas/x/Thing.avsc',
        schema: {
          type: 'record',
          name: 'Thing',
          namespace: 'com.example',
          doc: 'A thing.',
          fields: [
            { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When.' },
            { name: 'tags', type: { type: 'map', values: 'string' } },
            { name: 'colour', type: ['null', { type: 'enum', name: 'Colour', symbols: ['Red', 'Blue'] }] },
            { name: 'items', type: { type: 'array', items: ['null', 'string'] } },
          ],
        },
      },
    ]);
    expect(types?.content).toContain('/** A thing. */\nexport interface Thing {');
    expect(types?.content).toContain('  /** When. */\n  readonly at: number;');
    expect(types?.content).toContain('readonly tags: Readonly<Record<string, string>>;');
    expect(types?.content).toContain('readonly colour: null | Colour;');
    expect(types?.content).toContain("export type Colour = 'Red' | 'Blue';");
    expect(types?.content).toContain('readonly items: readonly (null | string)[];');
  });

  it('rejects two files that define the same shared record differently', () => {
    const withShared = (path: string, name: string, doc: string): SchemaFile => ({
      path,
      schema: {
        type: 'record',
        name,
        namespace: 'com.example',
        fields: [
          { name: 'shared', type: { type: 'record', name: 'Shared', fields: [{ name: 'a', type: 'int', doc }] } },
        ],
      },
    });
    expect(() =>
      renderGeneratedFiles([withShared('s/A.avsc', 'A', 'one'), withShared('s/B.avsc', 'B', 'one')]),
    ).not.toThrow();
    expect(() =>
      renderGeneratedFiles([withShared('s/A.avsc', 'A', 'one'), withShared('s/B.avsc', 'B', 'two')]),
    ).toThrow(CodegenError);
  });

  it('rejects a file whose name is not its record name', () => {
    expect(() =>
      renderGeneratedFiles([{ path: 'schemas/x/Wrong.avsc', schema: { type: 'record', name: 'Right', fields: [] } }]),
    ).toThrow(/must live in Right.avsc/);
  });
});
