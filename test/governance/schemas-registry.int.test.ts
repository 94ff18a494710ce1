/**
 * `schemas check | plan | apply | diff` against the real registry, on a schema directory of its own
 * (unique namespace and topic per run, so subjects never collide with other runs or tests).
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createRegistryClient } from '../../src/governance/registry/client.ts';
import { applyDir, checkRegistry, diffEvent, planDir } from '../../src/governance/workflows.ts';
import { createSchemaDir, field, optional, type SchemaDir } from './fixtures.ts';

const registry = createRegistryClient({ baseUrl: inject('schemaRegistryUrl') });
const run = randomUUID().replace(/-/g, '').slice(0, 10);

const order = [field('orderId', 'string'), field('currency', 'string'), field('totalMinor', 'long')];
const status = (symbols: string[]) => field('status', { type: 'enum', name: 'Status', doc: 'status', symbols });

describe('schemas check / plan / apply against the registry', () => {
  let schemas: SchemaDir;
  const subject = () => schemas.subject('OrderPlaced');

  beforeAll(async () => {
    schemas = await createSchemaDir(run, ['OrderPlaced', 'LeadCaptured']);
    await schemas.write('OrderPlaced', [...order, status(['Placed', 'Paid'])]);
  });

  it('registers new subjects with their level, and registering twice changes nothing', async () => {
    const first = await applyDir(schemas.dir, registry, false);
    expect(first.failed).toBe(false);
    expect(first.lines.join('\n')).toContain(`✓ ${subject()}: registered`);
    expect(await registry.listVersions(subject())).toEqual([1]);
    expect(await registry.getLevel(subject())).toBe('FULL_TRANSITIVE');

    const plan = await planDir(schemas.dir, registry);
    expect(plan.lines.at(-1)).toBe('no changes: the registry matches the schemas');
    const second = await applyDir(schemas.dir, registry, false);
    expect(second.failed).toBe(false);
    expect(second.lines).toContain(`  ${subject()}: unchanged`);
    expect(await registry.listVersions(subject())).toEqual([1]);
  });

  it('passes and applies a compatible change (new optional field with default)', async () => {
    await schemas.write('OrderPlaced', [...order, status(['Placed', 'Paid']), optional('giftMessage')]);
    const check = await checkRegistry(schemas.dir, registry);
    expect(check.failed).toBe(false);
    expect(check.lines.join('\n')).toContain(`✓ ${subject()}: compatible (FULL_TRANSITIVE, against version 1)`);
    const plan = await planDir(schemas.dir, registry);
    expect(plan.lines).toContain(`~ register ${subject()} version 2 (from gov${run}/OrderPlaced.avsc)`);
    expect((await applyDir(schemas.dir, registry, false)).failed).toBe(false);
    expect(await registry.listVersions(subject())).toEqual([1, 2]);
  });

  it('shows the field-level diff against the registered versions', async () => {
    await schemas.write('OrderPlaced', [
      ...order,
      status(['Placed', 'Paid']),
      optional('giftMessage'),
      optional('note'),
    ]);
    const latest = await diffEvent(schemas.dir, 'OrderPlaced', registry, {});
    expect(latest.lines).toEqual([
      `${subject()}: version 2 → local gov${run}/OrderPlaced.avsc`,
      '+ note: union[null, string] (default null)',
    ]);
    const between = await diffEvent(schemas.dir, 'OrderPlaced', registry, { from: 1, to: 2 });
    expect(between.lines).toEqual([
      `${subject()}: version 1 → version 2`,
      '+ giftMessage: union[null, string] (default null)',
    ]);
  });

  const breaking: [string, object[], string][] = [
    [
      'a type change',
      [
        field('orderId', 'string'),
        field('currency', 'string'),
        field('totalMinor', 'string'),
        status(['Placed', 'Paid']),
        optional('giftMessage'),
      ],
      'field `totalMinor` changed type from long to string',
    ],
    [
      'removing a field without default',
      [field('currency', 'string'), field('totalMinor', 'long'), status(['Placed', 'Paid']), optional('giftMessage')],
      'field `orderId` (string) was removed or renamed',
    ],
    [
      'renaming an enum symbol of an enum without default',
      [...order, status(['Placed', 'Settled']), optional('giftMessage')],
      'enum at field `status`',
    ],
  ];

  it.each(breaking)('fails check and refuses apply for %s, naming the field', async (_name, fields, explanation) => {
    await schemas.write('OrderPlaced', fields);
    const check = await checkRegistry(schemas.dir, registry);
    expect(check.failed).toBe(true);
    const text = check.lines.join('\n');
    expect(text).toContain(`✗ ${subject()}: BREAKING under FULL_TRANSITIVE`);
    expect(text).toContain(explanation);
    expect(text).toMatch(/fix: /);
    const apply = await applyDir(schemas.dir, registry, false);
    expect(apply.failed).toBe(true);
    expect(apply.lines.join('\n')).toContain(`✗ ${subject()}: refused: breaking change under FULL_TRANSITIVE`);
    expect(await registry.listVersions(subject())).toEqual([1, 2]);
  });

  it('honours per-subject levels', async () => {
    const lead = schemas.subject('LeadCaptured');
    await schemas.write('OrderPlaced', [...order, status(['Placed', 'Paid']), optional('giftMessage')]);
    await schemas.write('LeadCaptured', [field('leadId', 'string'), field('company', 'string')]);
    await schemas.levels({ [lead]: 'BACKWARD' });
    expect((await applyDir(schemas.dir, registry, false)).failed).toBe(false);
    expect(await registry.getLevel(lead)).toBe('BACKWARD');
    expect(await registry.getLevel(subject())).toBe('FULL_TRANSITIVE');

    // Removing a required field: fine for BACKWARD (new readers ignore it), breaking for FULL_TRANSITIVE.
    await schemas.write('LeadCaptured', [field('leadId', 'string')]);
    await schemas.write('OrderPlaced', [
      field('orderId', 'string'),
      field('currency', 'string'),
      status(['Placed', 'Paid']),
      optional('giftMessage'),
    ]);
    const check = await checkRegistry(schemas.dir, registry);
    const text = check.lines.join('\n');
    expect(text).toContain(`✓ ${lead}: compatible (BACKWARD, against version 1)`);
    expect(text).toContain(`✗ ${subject()}: BREAKING under FULL_TRANSITIVE`);
    const apply = await applyDir(schemas.dir, registry, false);
    expect(apply.failed).toBe(true);
    expect(await registry.listVersions(lead)).toEqual([1, 2]);
    expect(await registry.listVersions(subject())).toEqual([1, 2]);
  });

  it('registers a breaking change with --allow-breaking and restores the level', async () => {
    const apply = await applyDir(schemas.dir, registry, true);
    expect(apply.failed).toBe(false);
    expect(await registry.listVersions(subject())).toEqual([1, 2, 3]);
    expect(await registry.getLevel(subject())).toBe('FULL_TRANSITIVE');
  });
});
