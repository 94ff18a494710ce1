import { describe, expect, it } from 'vitest';
import { loadExample } from '../../domain/examples.ts';
import { exampleRoutingRules } from '../testing/spec.ts';
import type { RoutableLead } from './lead-fields.ts';
import { routeLead } from './route.ts';
import { parseRoutingRules } from './rules.ts';

const lead: RoutableLead = loadExample('LeadCaptured').data;
const AT = Date.parse('2024-03-01T12:00:00Z');

function rules(document: Record<string, unknown>) {
  return parseRoutingRules(
    { version: 1, fallback: { queue: { email: 'queue@example.com', name: 'Queue' } }, ...document },
    'test',
  );
}

const reps = [
  { email: 'a@example.com', name: 'A', weight: 1 },
  { email: 'b@example.com', name: 'B', weight: 2 },
  { email: 'c@example.com', name: 'C', weight: 7 },
];

describe('lead routing', () => {
  it('takes the first matching rule, in file order', () => {
    const routing = rules({
      reps,
      rules: [
        { name: 'us', when: { country: 'US' }, reps: ['a@example.com'] },
        { name: 'us-ma', when: { country: 'US', region: 'MA' }, reps: ['b@example.com'] },
      ],
    });
    expect(routeLead(lead, routing, AT)).toEqual({ rule: 'us', assignee: { email: 'a@example.com', name: 'A' } });
  });

  it('matches country, region, source, company size and any named lead field, case-insensitively', () => {
    const routing = rules({
      reps,
      rules: [
        { name: 'size', when: { companySize: { min: 100, max: 500 } }, reps: ['a@example.com'] },
        {
          name: 'industry',
          when: { fields: { industry: 'software', 'attributes.plan': ['Pro'] } },
          reps: ['b@example.com'],
        },
        { name: 'source', when: { source: 'WHITEPAPER REQUEST FORM', region: ['ny', 'ma'] }, reps: ['c@example.com'] },
      ],
    });
    expect(routeLead({ ...lead, companySize: 250 }, routing, AT).rule).toBe('size');
    expect(routeLead({ ...lead, companySize: 501 }, routing, AT).rule).toBe('source');
    expect(routeLead({ ...lead, industry: 'Software', attributes: { plan: 'pro' } }, routing, AT).rule).toBe(
      'industry',
    );
    expect(routeLead({ ...lead, industry: 'Software', attributes: {} }, routing, AT).rule).toBe('source');
    expect(routeLead({ ...lead, regionCode: null }, routing, AT).rule).toBeUndefined();
  });

  it('goes to the fallback when nothing matches', () => {
    const routing = rules({ reps, rules: [{ name: 'de', when: { country: 'DE' }, reps: ['a@example.com'] }] });
    expect(routeLead(lead, routing, AT)).toEqual({
      rule: undefined,
      assignee: { email: 'queue@example.com', name: 'Queue' },
    });
    const toRep = parseRoutingRules({ version: 1, reps, rules: [], fallback: { rep: 'c@example.com' } }, 'test');
    expect(routeLead(lead, toRep, AT).assignee).toEqual({ email: 'c@example.com', name: 'C' });
  });

  it('skips reps who are inactive or out of office at the lead time, and rules with nobody available', () => {
    const routing = rules({
      reps: [
        {
          email: 'a@example.com',
          name: 'A',
          outOfOffice: [{ from: '2024-02-28T00:00:00Z', until: '2024-03-02T00:00:00Z' }],
        },
        { email: 'b@example.com', name: 'B', active: false },
        { email: 'c@example.com', name: 'C' },
      ],
      rules: [
        { name: 'away', when: { country: 'US' }, reps: ['a@example.com', 'b@example.com'] },
        { name: 'on-duty', when: { country: 'US' }, reps: ['a@example.com', 'c@example.com'] },
      ],
    });
    for (let index = 0; index < 200; index += 1) {
      expect(routeLead({ ...lead, leadId: `lead-${index}` }, routing, AT)).toEqual({
        rule: 'on-duty',
        assignee: { email: 'c@example.com', name: 'C' },
      });
    }
    // After the window (half-open: `until` is back at work), A takes leads again.
    const back = new Set(
      Array.from(
        { length: 200 },
        (_, index) => routeLead({ ...lead, leadId: `lead-${index}` }, routing, Date.parse('2024-03-02T00:00:00Z')).rule,
      ),
    );
    expect(back).toEqual(new Set(['away']));
  });

  it('splits leads by weight within 2 percentage points over 10,000 leads', () => {
    const routing = rules({ reps, rules: [{ name: 'all', reps: reps.map((rep) => rep.email) }] });
    const counts = new Map<string, number>();
    for (let index = 0; index < 10_000; index += 1) {
      const { email } = routeLead({ ...lead, leadId: `lead-${index}` }, routing, AT).assignee;
      counts.set(email, (counts.get(email) ?? 0) + 1);
    }
    expect((counts.get('a@example.com') ?? 0) / 10_000).toBeCloseTo(0.1, 1);
    for (const [email, share] of [
      ['a@example.com', 0.1],
      ['b@example.com', 0.2],
      ['c@example.com', 0.7],
    ] as const) {
      expect(Math.abs((counts.get(email) ?? 0) / 10_000 - share), email).toBeLessThan(0.02);
    }
  });

  it('routes a replay of a lead to the same rep, whatever the time of the replay', () => {
    const routing = rules({ reps, rules: [{ name: 'all', reps: reps.map((rep) => rep.email) }] });
    for (let index = 0; index < 100; index += 1) {
      const replayed = { ...lead, leadId: `lead-${index}` };
      expect(routeLead(replayed, routing, AT)).toEqual(routeLead({ ...replayed }, routing, AT));
    }
  });

  it('moves only the leads of a rep who goes away, not everyone else', () => {
    const all = rules({ reps, rules: [{ name: 'all', reps: reps.map((rep) => rep.email) }] });
    const withoutA = rules({ reps, rules: [{ name: 'all', reps: ['b@example.com', 'c@example.com'] }] });
    for (let index = 0; index < 1_000; index += 1) {
      const before = routeLead({ ...lead, leadId: `lead-${index}` }, all, AT).assignee.email;
      const after = routeLead({ ...lead, leadId: `lead-${index}` }, withoutA, AT).assignee.email;
      if (before !== 'a@example.com') expect(after).toBe(before);
    }
  });

  it('routes the guide example with the example rules file', () => {
    const decision = routeLead(lead, exampleRoutingRules(), lead.leadId === '1234' ? AT : 0);
    expect(decision.rule).toBe('new-england-whitepaper');
  });
});
