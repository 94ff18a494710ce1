/**
 * Compiles a routing rules document (already parsed from JSON or YAML) into the form the pure router uses,
 * or fails with ROUTING_RULES_INVALID listing every problem, each named by its rule ("rules[2] (emea): …").
 * The service refuses to start on an invalid file: routing leads to nobody is worse than not starting.
 */
import type { z } from 'zod';
import { RelayError } from '../../errors.ts';
import { isLeadField, LEAD_FIELD_NAMES } from './lead-fields.ts';
import { routingFileSchema, type RoutingFile } from './rules-schema.ts';

export interface Rep {
  readonly email: string;
  readonly name: string;
  readonly weight: number;
  readonly active: boolean;
  /** Half-open [from, until) windows in epoch millis. */
  readonly outOfOffice: readonly { readonly from: number; readonly until: number }[];
}

export type FieldCondition = readonly (string | number | boolean)[];

export interface RoutingRule {
  readonly name: string;
  readonly country: readonly string[] | undefined;
  readonly region: readonly string[] | undefined;
  readonly source: readonly string[] | undefined;
  readonly companySize: { readonly min: number | undefined; readonly max: number | undefined } | undefined;
  readonly fields: ReadonlyMap<string, FieldCondition>;
  readonly reps: readonly Rep[];
}

/** Where leads go when no rule matches: a rep, or a shared queue (a team inbox with a Klaviyo profile). */
export type Fallback =
  | { readonly kind: 'rep'; readonly rep: Rep }
  | { readonly kind: 'queue'; readonly email: string; readonly name: string };

export interface RoutingRules {
  readonly rules: readonly RoutingRule[];
  readonly fallback: Fallback;
}

export interface RoutingProblem {
  /** e.g. `rules[2] (emea-enterprise).reps[0]` */
  readonly where: string;
  readonly message: string;
}

export function parseRoutingRules(document: unknown, origin: string): RoutingRules {
  const parsed = routingFileSchema.safeParse(document);
  if (!parsed.success)
    throw invalid(
      origin,
      parsed.error.issues.map((issue) => describeIssue(issue, document)),
    );
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw invalid(origin, problems);
  return compile(parsed.data);
}

export function formatRoutingProblems(problems: readonly RoutingProblem[]): string {
  return problems.map((problem) => `  - ${problem.where}: ${problem.message}`).join('\n');
}

function invalid(origin: string, problems: readonly RoutingProblem[]): RelayError {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return new RelayError(
    'ROUTING_RULES_INVALID',
    `lead routing rules ${origin} are invalid (${count}):\n${formatRoutingProblems(problems)}`,
    {
      detail: { origin, problems: problems.map((problem) => ({ ...problem })) },
    },
  );
}

function crossReferenceProblems(file: RoutingFile): RoutingProblem[] {
  const problems: RoutingProblem[] = [];
  const repEmails = new Set<string>();
  file.reps.forEach((rep, index) => {
    const where = `reps[${index}] (${rep.email})`;
    if (repEmails.has(rep.email.toLowerCase())) problems.push({ where, message: 'this rep is listed twice' });
    repEmails.add(rep.email.toLowerCase());
    rep.outOfOffice.forEach((window, windowIndex) => {
      if (Date.parse(window.until) <= Date.parse(window.from)) {
        problems.push({ where: `${where}.outOfOffice[${windowIndex}]`, message: 'until must be after from' });
      }
    });
  });
  const ruleNames = new Set<string>();
  file.rules.forEach((rule, index) => {
    const where = ruleLabel(index, rule.name);
    if (ruleNames.has(rule.name)) problems.push({ where: `${where}.name`, message: 'another rule has this name' });
    ruleNames.add(rule.name);
    rule.reps.forEach((email, repIndex) => {
      if (!repEmails.has(email.toLowerCase())) {
        problems.push({ where: `${where}.reps[${repIndex}]`, message: `${email} is not one of the reps` });
      }
    });
    for (const field of Object.keys(rule.when.fields ?? {})) {
      if (!isLeadField(field)) {
        problems.push({
          where: `${where}.when.fields.${field}`,
          message: `not a lead field; use one of ${LEAD_FIELD_NAMES.join(', ')}`,
        });
      }
    }
  });
  if ('rep' in file.fallback && !repEmails.has(file.fallback.rep.toLowerCase())) {
    problems.push({ where: 'fallback.rep', message: `${file.fallback.rep} is not one of the reps` });
  }
  return problems;
}

function compile(file: RoutingFile): RoutingRules {
  const reps = new Map<string, Rep>(
    file.reps.map((rep) => [
      rep.email.toLowerCase(),
      {
        email: rep.email,
        name: rep.name,
        weight: rep.weight,
        active: rep.active,
        outOfOffice: rep.outOfOffice.map((window) => ({
          from: Date.parse(window.from),
          until: Date.parse(window.until),
        })),
      },
    ]),
  );
  const repFor = (email: string): Rep => reps.get(email.toLowerCase())!;
  const lower = (values: string | readonly string[] | undefined) =>
    values === undefined
      ? undefined
      : (typeof values === 'string' ? [values] : values).map((value) => value.toLowerCase());
  return {
    rules: file.rules.map((rule) => ({
      name: rule.name,
      country: lower(rule.when.country),
      region: lower(rule.when.region),
      source: lower(rule.when.source),
      companySize:
        rule.when.companySize === undefined
          ? undefined
          : { min: rule.when.companySize.min, max: rule.when.companySize.max },
      fields: new Map(
        Object.entries(rule.when.fields ?? {}).map(([field, values]) => [
          field,
          (Array.isArray(values) ? values : [values]).map((value) =>
            typeof value === 'string' ? value.toLowerCase() : value,
          ),
        ]),
      ),
      reps: rule.reps.map(repFor),
    })),
    fallback:
      'rep' in file.fallback
        ? { kind: 'rep', rep: repFor(file.fallback.rep) }
        : { kind: 'queue', email: file.fallback.queue.email, name: file.fallback.queue.name },
  };
}

/** `rules[2] (emea-enterprise)`: the index finds it, the name is how people know it. */
function ruleLabel(index: number, name: unknown): string {
  return typeof name === 'string' && name.trim() !== '' ? `rules[${index}] (${name})` : `rules[${index}]`;
}

function describeIssue(issue: z.core.$ZodIssue, document: unknown): RoutingProblem {
  const [head, index, ...rest] = issue.path;
  let where: string;
  if ((head === 'rules' || head === 'reps') && typeof index === 'number') {
    const item = lookup(document, [head, index]);
    const label = head === 'rules' ? lookup(item, ['name']) : lookup(item, ['email']);
    where =
      (head === 'rules' ? ruleLabel(index, label) : ruleLabel(index, label).replace('rules', 'reps')) +
      formatPath(rest);
  } else {
    where = issue.path.length === 0 ? '(file)' : formatPath(issue.path).replace(/^\./, '');
  }
  return { where, message: describeMessage(issue, document) };
}

function describeMessage(issue: z.core.$ZodIssue, document: unknown): string {
  if (issue.code !== 'unrecognized_keys' && lookup(document, issue.path) === undefined) return 'is required';
  if (issue.code !== 'invalid_union') return issue.message;
  // zod's own union message is "Invalid input"; say which forms are accepted instead.
  return issue.path.at(-1) === 'fallback'
    ? 'must be { rep: <email> } or { queue: { email, name } }'
    : 'must be a value or a non-empty list of values';
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`)).join('');
}

function lookup(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}
