/**
 * What the operations kit's tests need to know about PromQL and the exposition format, without a parser
 * library: the metric names an expression reads, the metric names a scrape offers, and every expression of
 * the alert rules and of the Grafana dashboard (with Grafana's variables replaced by what they stand for).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export const RULES_FILE = new URL('../../ops/prometheus/klaviyo-relay.rules.yml', import.meta.url).pathname;
export const DASHBOARD_FILE = new URL('../../ops/grafana/dashboards/klaviyo-relay.json', import.meta.url).pathname;

/** Words of PromQL that look like metric names but are not (operators and modifiers). */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'atan2',
  'inf',
  'nan',
]);

/**
 * Metric names an expression selects. Strings, label matchers `{…}`, ranges `[…]`, grouping lists `by (…)`
 * and function names (an identifier before `(`) are not metric names; every other identifier is.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call !== undefined || KEYWORDS.has(name!.toLowerCase())) continue;
    names.add(name!);
  }
  return [...names].sort();
}

/** Sample names a scrape offers: each `# TYPE` family, with _bucket/_sum/_count for histograms and summaries. */
export function exportedNames(scrape: string): Set<string> {
  const names = new Set<string>();
  for (const match of scrape.matchAll(/^# TYPE (\S+) (\w+)$/gm)) {
    const [, name, type] = match;
    names.add(name!);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`);
  }
  return names;
}

export interface NamedExpression {
  readonly where: string;
  readonly expr: string;
}

export function ruleExpressions(file = RULES_FILE): NamedExpression[] {
  const rules = parseYaml(readFileSync(file, 'utf8')) as {
    groups: { name: string; rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  return rules.groups.flatMap((group) =>
    group.rules.map((rule) => ({ where: `rule ${rule.alert ?? rule.record}`, expr: rule.expr })),
  );
}

/** Grafana's variables, as a scrape of one relay would give them. */
const GRAFANA_VARIABLES: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  instance: '.*',
};

export function grafanaToPromQL(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
    const value = GRAFANA_VARIABLES[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

export function dashboardExpressions(file = DASHBOARD_FILE): NamedExpression[] {
  const dashboard = JSON.parse(readFileSync(file, 'utf8')) as { panels: Panel[] };
  const walk = (panels: readonly Panel[]): NamedExpression[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? []).flatMap((target) =>
        target.expr === undefined ? [] : [{ where: `panel "${panel.title}"`, expr: grafanaToPromQL(target.expr) }],
      ),
      ...walk(panel.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

/** A rule file with one recording rule per expression: `promtool check rules` on it parses each of them. */
export function asRecordingRules(expressions: readonly NamedExpression[]): string {
  return JSON.stringify({
    groups: [
      {
        name: 'parse-check',
        rules: expressions.map((entry, index) => ({ record: `parse_check:expr_${index}`, expr: entry.expr })),
      },
    ],
  });
}
