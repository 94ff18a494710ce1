/**
 * The validator runs zod's compiled clones of the event schemas (z.compile). A compiled fast path that
 * accepts what the rules reject would let a bad event through unnoticed, so these tests hold the two
 * to the same verdict: every schema must compile, and on thousands of mutated examples the compiled
 * schema must accept exactly what the runtime parser accepts and report exactly its issues.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DOMAIN_EVENT_TYPES, type DomainEventType } from './events.ts';
import { loadExample } from './examples.ts';
import { eventSchemas } from './validation.ts';

const NOW = Date.UTC(2024, 0, 1);
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const rules = eventSchemas({ resetLinkHosts: ['www.website.com', 'good.example'], now: () => NOW });

/** Values chosen to sit on either side of a rule: formats, bounds, types, surrogates, absence. */
const edgeValues: readonly unknown[] = [
  '',
  'a',
  '\uD83D\uDE00',
  '\uD800',
  'x'.repeat(255),
  'john.smith@example.com',
  'john.smith@',
  `${'a'.repeat(250)}@b.co`,
  '+15551234567',
  '+05551234567',
  '+1555123456789012',
  'US',
  'us',
  'USA',
  'USD',
  'JPY',
  'XXX',
  '7f3c2a10-5b6d-4e8f-9a1b-000000000006',
  '00000000-0000-0000-0000-000000000000',
  '7f3c2a10-5b6d-4e8f-9a1b-00000000000',
  'https://www.website.com/reset/abc',
  'http://www.website.com/reset/abc',
  'https://user@www.website.com/reset',
  'https://evil.example/reset',
  0,
  -1,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  Date.UTC(1999, 11, 31),
  Date.UTC(2000, 0, 1),
  NOW + YEAR_MS,
  NOW + YEAR_MS + 1,
  null,
  undefined,
  true,
  [],
  {},
  ['a'],
  [1],
];

const anyValue = fc.oneof(
  fc.constantFrom(...edgeValues),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 3 }),
);

type Path = readonly (string | number)[];

/** Every path into the example's data, objects and arrays included, so whole records can be replaced. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const here = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(value)) return [...here, ...value.flatMap((item, index) => pathsOf(item, [...prefix, index]))];
  if (typeof value === 'object' && value !== null) {
    return [...here, ...Object.entries(value).flatMap(([key, child]) => pathsOf(child, [...prefix, key]))];
  }
  return here;
}

function withValueAt(data: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(data);
  let parent = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  parent[path.at(-1)!] = value;
  return copy;
}

function verdict(schema: z.ZodType, data: unknown): { ok: boolean; issues: unknown } {
  const result = schema.safeParse(data);
  return {
    ok: result.success,
    issues: result.success ? [] : result.error.issues.map(({ path, message, code }) => ({ path, message, code })),
  };
}

describe('compiled event schemas (z.compile) against the rules as written', () => {
  it.each(DOMAIN_EVENT_TYPES)('%s compiles fully (no construct left to the slow runtime parser)', (type) => {
    expect(() => z.compile(rules[type], { strict: true })).not.toThrow();
  });

  it.each(DOMAIN_EVENT_TYPES)('%s: the compiled schema accepts its example, as the rules do', (type) => {
    const data = loadExample(type).data;
    expect(verdict(z.compile(rules[type]), data)).toEqual({ ok: true, issues: [] });
    expect(verdict(rules[type], data).ok).toBe(true);
  });

  it.each(DOMAIN_EVENT_TYPES)('%s: same verdict and same issues on mutated examples', (type: DomainEventType) => {
    const compiled = z.compile(rules[type]);
    const example = loadExample(type).data;
    const paths = pathsOf(example);
    let rejected = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...paths), anyValue), { minLength: 1, maxLength: 3 }),
        (changes) => {
          let data: unknown = example;
          for (const [path, value] of changes) {
            try {
              data = withValueAt(data, path, value);
            } catch {
              // An earlier change replaced a parent with a primitive: that path no longer exists.
            }
          }
          const expected = verdict(rules[type], data);
          if (!expected.ok) rejected += 1;
          expect(verdict(compiled, data)).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
    // The mutations must reach the rules: a corpus the rules all accept would compare nothing.
    expect(rejected).toBeGreaterThan(100);
  });
});
