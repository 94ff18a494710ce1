/**
 * The offline checker and the real registry (Apicurio, Confluent-compatible API) must give the same
 * verdict for every row of the change table, at every compatibility level. One fresh subject per row.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { CHANGE_CASES } from '../../src/governance/compat/change-cases.ts';
import { checkCompatibility } from '../../src/governance/compat/check.ts';
import { LEVEL_RULES, type CompatibilityLevel } from '../../src/governance/compat/levels.ts';
import { parseSchemaJson, type ParsedSchema } from '../../src/governance/compat/parse-schema.ts';
import { createRegistryClient } from '../../src/governance/registry/client.ts';

const LEVELS: readonly CompatibilityLevel[] = [
  'BACKWARD',
  'FORWARD',
  'FULL',
  'BACKWARD_TRANSITIVE',
  'FORWARD_TRANSITIVE',
  'FULL_TRANSITIVE',
];

function parsed(json: unknown): ParsedSchema {
  const result = parseSchemaJson(json);
  if (!result.ok) throw new Error(result.message);
  return result.schema;
}

describe('offline check agrees with the registry', () => {
  const registry = createRegistryClient({ baseUrl: inject('schemaRegistryUrl') });
  const run = randomUUID().slice(0, 8);

  it.each(CHANGE_CASES.map((row, index) => [row.name, row, index] as const))('%s', async (_name, row, index) => {
    const subject = `governance-table-${run}-${index}`;
    await registry.setLevel(subject, 'NONE');
    for (const version of row.history) {
      const registered = await registry.register(subject, JSON.stringify(version));
      expect(registered.ok).toBe(true);
    }
    expect(await registry.listVersions(subject)).toHaveLength(row.history.length);
    const earlier = row.history.map((schema, position) => ({
      label: `version ${position + 1}`,
      schema: parsed(schema),
    }));
    const verdicts: Record<string, { registry: boolean; offline: boolean }> = {};
    for (const level of LEVELS) {
      await registry.setLevel(subject, level);
      const fromRegistry = await registry.testCompatibility(
        subject,
        JSON.stringify(row.candidate),
        LEVEL_RULES[level].transitive,
      );
      const offline = checkCompatibility(parsed(row.candidate), earlier, level);
      verdicts[level] = { registry: fromRegistry.compatible, offline: offline.compatible };
    }
    for (const level of LEVELS) expect(verdicts[level]?.offline, `${level}`).toBe(verdicts[level]?.registry);
    // And both match the verdict the table states.
    expect(verdicts.BACKWARD?.registry).toBe(row.backward);
    expect(verdicts.FORWARD?.registry).toBe(row.forward);
    expect(verdicts.BACKWARD_TRANSITIVE?.registry).toBe(row.backwardTransitive);
    expect(verdicts.FORWARD_TRANSITIVE?.registry).toBe(row.forwardTransitive);
  });
});
