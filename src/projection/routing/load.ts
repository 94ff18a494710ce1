/**
 * The I/O edge of lead routing: reads the rules file named in config (RELAY_LEAD_ROUTING_FILE) and hands
 * its content to the pure parser. JSON when the name ends in .json, YAML otherwise (YAML reads JSON too).
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { RelayError } from '../../errors.ts';
import { parseRoutingRules, type RoutingRules } from './rules.ts';

export async function loadRoutingRules(path: string): Promise<RoutingRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RelayError('ROUTING_RULES_INVALID', `cannot read lead routing rules ${path}: ${reason(error)}`, {
      detail: { origin: path },
      cause: error,
    });
  }
  return parseRoutingRules(parseDocument(text, path), path);
}

/** Parses the text of a rules file; exported so tests and tools can check a file without touching disk. */
export function parseDocument(text: string, path: string): unknown {
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new RelayError(
      'ROUTING_RULES_INVALID',
      `lead routing rules ${path} are not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${reason(error)}`,
      {
        detail: { origin: path },
      },
    );
  }
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
