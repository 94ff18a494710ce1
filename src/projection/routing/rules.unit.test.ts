import { describe, expect, it } from 'vitest';
import { isRelayError, type RelayError } from '../../errors.ts';
import { EXAMPLE_RULES_PATH } from '../testing/spec.ts';
import { loadRoutingRules, parseDocument } from './load.ts';
import { parseRoutingRules } from './rules.ts';

const valid = {
  version: 1,
  reps: [
    { email: 'a@example.com', name: 'A' },
    { email: 'b@example.com', name: 'B', weight: 3 },
  ],
  rules: [{ name: 'us', when: { country: 'US' }, reps: ['a@example.com'] }],
  fallback: { rep: 'b@example.com' },
};

function problemsOf(document: unknown): string[] {
  try {
    parseRoutingRules(document, 'rules.yaml');
  } catch (error) {
    expect(isRelayError(error)).toBe(true);
    const relayError = error as RelayError;
    expect(relayError.code).toBe('ROUTING_RULES_INVALID');
    return (relayError.detail.problems as { where: string; message: string }[]).map(
      (problem) => `${problem.where}: ${problem.message}`,
    );
  }
  throw new Error('expected the rules to be rejected');
}

const withRule = (rule: Record<string, unknown>) => ({ ...valid, rules: [valid.rules[0], rule] });

describe('routing rules file', () => {
  it('accepts a valid document and the example file', async () => {
    expect(parseRoutingRules(valid, 'rules.yaml').rules.map((rule) => rule.name)).toEqual(['us']);
    const example = await loadRoutingRules(EXAMPLE_RULES_PATH.pathname);
    expect(example.rules.map((rule) => rule.name)).toEqual([
      'enterprise',
      'new-england-whitepaper',
      'dach-software',
      'rest-of-us',
    ]);
    expect(example.fallback).toEqual({ kind: 'queue', email: 'sales-leads@example.com', name: 'Sales lead queue' });
  });

  it.each([
    [
      'a rule naming an unknown rep',
      withRule({ name: 'eu', reps: ['x@example.com'] }),
      'rules[1] (eu).reps[0]: x@example.com is not one of the reps',
    ],
    ['a rule without reps', withRule({ name: 'eu', reps: [] }), 'rules[1] (eu).reps: must list at least one rep'],
    [
      'a misspelt condition',
      withRule({ name: 'eu', when: { contry: 'DE' }, reps: ['a@example.com'] }),
      'rules[1] (eu).when',
    ],
    [
      'an unknown lead field',
      withRule({ name: 'eu', when: { fields: { colour: 'red' } }, reps: ['a@example.com'] }),
      'rules[1] (eu).when.fields.colour: not a lead field',
    ],
    [
      'an empty company size range',
      withRule({ name: 'eu', when: { companySize: {} }, reps: ['a@example.com'] }),
      'rules[1] (eu).when.companySize: give min, max or both',
    ],
    [
      'an inverted company size range',
      withRule({ name: 'eu', when: { companySize: { min: 10, max: 5 } }, reps: ['a@example.com'] }),
      'rules[1] (eu).when.companySize: min must not exceed max',
    ],
    [
      'two rules with one name',
      withRule({ name: 'us', reps: ['a@example.com'] }),
      'rules[1] (us).name: another rule has this name',
    ],
    ['a rule without a name', withRule({ reps: ['a@example.com'] }), 'rules[1].name: is required'],
    [
      'a zero weight',
      { ...valid, reps: [{ email: 'a@example.com', name: 'A', weight: 0 }, valid.reps[1]] },
      'reps[0] (a@example.com).weight: must be greater than 0',
    ],
    [
      'a rep listed twice',
      { ...valid, reps: [...valid.reps, { email: 'A@example.com', name: 'A again' }] },
      'reps[2] (A@example.com): this rep is listed twice',
    ],
    [
      'a rep email that is not one',
      { ...valid, reps: [{ email: 'alice', name: 'A' }, valid.reps[1]] },
      'reps[0] (alice).email: must be an email address',
    ],
    [
      'an out-of-office window ending before it starts',
      {
        ...valid,
        reps: [
          {
            email: 'a@example.com',
            name: 'A',
            outOfOffice: [{ from: '2024-07-02T00:00:00Z', until: '2024-07-01T00:00:00Z' }],
          },
          valid.reps[1],
        ],
      },
      'reps[0] (a@example.com).outOfOffice[0]: until must be after from',
    ],
    [
      'an out-of-office date without offset',
      {
        ...valid,
        reps: [
          { email: 'a@example.com', name: 'A', outOfOffice: [{ from: 'July 1st', until: '2024-07-01T00:00:00Z' }] },
          valid.reps[1],
        ],
      },
      'reps[0] (a@example.com).outOfOffice[0].from: must be an ISO 8601 date-time',
    ],
    [
      'a fallback rep that is not a rep',
      { ...valid, fallback: { rep: 'x@example.com' } },
      'fallback.rep: x@example.com is not one of the reps',
    ],
    ['no fallback', { ...valid, fallback: undefined }, 'fallback: is required'],
    ['an unsupported version', { ...valid, version: 2 }, 'version:'],
    ['an unknown top-level key', { ...valid, team: 'sales' }, '(file)'],
    ['not an object', ['rules'], '(file)'],
  ])('rejects %s, naming where', (_kind, document, expected) => {
    expect(problemsOf(document).join('\n')).toContain(expected);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      ...valid,
      rules: [{ name: 'x', reps: ['nobody@example.com'] }],
      fallback: { rep: 'z@example.com' },
    });
    expect(problems).toHaveLength(2);
  });

  it('rejects text that is not YAML or JSON, naming the file', () => {
    expect(() => parseDocument('reps: [unclosed', 'rules.yaml')).toThrow(/rules.yaml are not valid YAML/);
    expect(() => parseDocument('{"version": 1,', 'rules.json')).toThrow(/rules.json are not valid JSON/);
  });

  it('rejects a file that cannot be read, as ROUTING_RULES_INVALID', async () => {
    await expect(loadRoutingRules('/nonexistent/lead-routing.yaml')).rejects.toMatchObject({
      code: 'ROUTING_RULES_INVALID',
      message: expect.stringContaining('/nonexistent/lead-routing.yaml'),
    });
  });
});
