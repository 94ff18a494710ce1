// Every alert's runbook_url lands on a README section: a renamed heading would leave the 3 a.m. link dead.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { RULES_FILE } from './promql.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchors = new Set([...README.matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchor(match[1]!.trim())));

interface Rule {
  readonly alert: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

const rules = (parseYaml(readFileSync(RULES_FILE, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (group) => group.rules,
);

describe('alert rules and the README runbook', () => {
  it('covers what the operations issue asks for', () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual([
      'KlaviyoRelayConsumerLagGrowing',
      'KlaviyoRelayDeadLettersGrowing',
      'KlaviyoRelayDeliveryHalted',
      'KlaviyoRelayDown',
      'KlaviyoRelayNotReady',
      'KlaviyoRelayOldestRequestTooOld',
      'KlaviyoRelayProjectorTransactionsAborting',
      'KlaviyoRelayRateBudgetExhausted',
      'KlaviyoRelayRateLimited',
      'KlaviyoRelaySchemaRegistryUnavailable',
    ]);
  });

  it.each(rules.map((rule) => [rule.alert, rule] as const))(
    '%s has a severity, a summary, a description with its value and a runbook section',
    (_name, rule) => {
      expect(['critical', 'warning']).toContain(rule.labels['severity']);
      expect(rule.annotations['summary']).toBeTruthy();
      expect(rule.annotations['description']).toContain('$value');
      const link = /README\.md#([\w-]+)$/.exec(rule.annotations['runbook_url'] ?? '');
      expect(link?.[1]).toBe(rule.alert.toLowerCase());
      expect(anchors.has(link![1]!)).toBe(true);
    },
  );

  it('the dashboard links the runbook section', () => {
    expect(anchors.has('alerts-and-runbooks')).toBe(true);
  });
});
