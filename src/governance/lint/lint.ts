/**
 * `schemas lint`: parses every schema file and runs the rules; cross-file rules (unique event names, one
 * definition per shared named type) run over all files at once. Pure: files in, findings out.
 */
import type { NamedNode } from '../compat/avro-model.ts';
import { parseSchemaText, type ParsedSchema } from '../compat/parse-schema.ts';
import type { SchemaFile } from '../source/schema-file.ts';
import { FILE_RULES, fileContext, finding } from './file-rules.ts';
import type { LintFinding } from './finding.ts';

export interface LintedFile {
  readonly file: string;
  readonly schema: ParsedSchema | undefined;
}

export function lintSchemas(files: readonly SchemaFile[]): LintFinding[] {
  const findings: LintFinding[] = [];
  const parsed: { file: string; schema: ParsedSchema }[] = [];
  for (const file of files) {
    const result = parseSchemaText(file.text);
    if (!result.ok) {
      findings.push(
        finding(
          'avro/parse',
          file.path,
          '$',
          result.message,
          'fix the schema so that it parses (run it through an Avro parser)',
        ),
      );
      continue;
    }
    parsed.push({ file: file.path, schema: result.schema });
    const context = fileContext(file.path, result.schema);
    if ('ruleId' in context) findings.push(context);
    else findings.push(...FILE_RULES.flatMap((rule) => rule(context)));
  }
  findings.push(...uniqueNames(parsed));
  return findings;
}

function uniqueNames(parsed: readonly { file: string; schema: ParsedSchema }[]): LintFinding[] {
  const findings: LintFinding[] = [];
  const events = new Map<string, string>();
  for (const { file, schema } of parsed) {
    if (schema.root.kind !== 'record') continue;
    const earlier = events.get(schema.root.fullName);
    if (earlier !== undefined) {
      findings.push(
        finding(
          'names/unique',
          file,
          '$.name',
          `event ${schema.root.fullName} is also declared by ${earlier}`,
          'give each event its own record name, or delete the duplicate file',
        ),
      );
    } else events.set(schema.root.fullName, file);
  }
  // A shared type (com.klaviyorelay.common.Customer) is copied into each event file; the copies must agree.
  const definitions = new Map<string, { file: string; json: string }>();
  for (const { file, schema } of parsed) {
    for (const [name, node] of schema.named) {
      const json = stableJson(definitionJson(schema.json, node));
      const first = definitions.get(name);
      if (first === undefined) definitions.set(name, { file, json });
      else if (first.json !== json) {
        findings.push(
          finding(
            'names/unique',
            file,
            node.jsonPath,
            `${name} is defined differently here than in ${first.file}`,
            `copy the definition of ${name} from ${first.file} (or change both together)`,
          ),
        );
      }
    }
  }
  return findings;
}

/** The JSON object that declares `node`, found by following its JSON path into the document. */
function definitionJson(document: unknown, node: NamedNode): unknown {
  let current: unknown = document;
  for (const step of node.jsonPath.slice(1).match(/\.[A-Za-z]+|\[\d+\]/g) ?? []) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = step.startsWith('[')
      ? (current as unknown[])[Number(step.slice(1, -1))]
      : (current as Record<string, unknown>)[step.slice(1)];
  }
  return current;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${stableJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
