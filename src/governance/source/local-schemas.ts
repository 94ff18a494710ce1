/**
 * Reads the schema directory: every `*.avsc` below it (examples and other files are not schemas).
 * The one place the governance tools touch the file system for schemas.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SchemaFile } from './schema-file.ts';

export async function readSchemaDir(dir: string): Promise<SchemaFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.avsc'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(
    files.map(async (file) => ({
      path: path.relative(dir, file).split(path.sep).join('/'),
      text: await readFile(file, 'utf8'),
    })),
  );
}

/** `schemas/examples/<EventType>.json`, when the schema dir has one for this event. */
export async function readExample(dir: string, eventType: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'examples', `${eventType}.json`), 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
