/** Reads what the catalogue needs from the schema dir and renders it (the I/O half of `schemas docs`). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseGovernanceConfig, GOVERNANCE_CONFIG_FILE } from '../config/governance-config.ts';
import { toEventSchemas } from '../source/event-schemas.ts';
import { readExample, readSchemaDir } from '../source/local-schemas.ts';
import { renderCatalogue } from './render.ts';

export type CatalogueResult = { ok: true; markdown: string } | { ok: false; problems: string[] };

export async function buildCatalogue(dir: string): Promise<CatalogueResult> {
  const config = parseGovernanceConfig(await readOptional(path.join(dir, GOVERNANCE_CONFIG_FILE)));
  if (!config.ok) return { ok: false, problems: [config.message] };
  const { events, problems } = toEventSchemas(await readSchemaDir(dir), config.config);
  if (problems.length > 0)
    return { ok: false, problems: problems.map((problem) => `${problem.file}: ${problem.message}`) };
  const entries = await Promise.all(
    events.map(async (event) => {
      const example = (await readExample(dir, event.eventType)) as { data?: unknown } | undefined;
      return { event, example: example?.data ?? example };
    }),
  );
  return { ok: true, markdown: renderCatalogue(entries) };
}

export async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
}
