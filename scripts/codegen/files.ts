/** The codegen's file access: finds and parses the .avsc files, compares generated output with disk. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CodegenError, type GeneratedFile, type SchemaFile } from './render.ts';

export const SCHEMAS_DIR = 'schemas';

/** Every `schemas/<domain>/<EventType>.avsc`, parsed (examples and other files are ignored). */
export function readSchemaFiles(root: string): SchemaFile[] {
  const directory = join(root, SCHEMAS_DIR);
  const paths = readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.avsc'))
    .sort();
  return paths.map((path) => {
    const relativePath = relative(root, join(directory, path)).split('\\').join('/');
    try {
      return { path: relativePath, schema: JSON.parse(readFileSync(join(directory, path), 'utf8')) as unknown };
    } catch (error) {
      throw new CodegenError(`${relativePath}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}

/** Paths of generated files whose content on disk differs from `generated` (or that are missing). */
export function staleFiles(root: string, generated: readonly GeneratedFile[]): string[] {
  return generated
    .filter((file) => {
      try {
        return readFileSync(join(root, file.path), 'utf8') !== file.content;
      } catch {
        return true;
      }
    })
    .map((file) => file.path);
}
