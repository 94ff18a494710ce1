/**
 * The governance commands as functions: inputs in, report lines and a pass/fail out. The CLI
 * (src/cli/schemas.ts) only parses options, prints and maps the result to an exit code. Problems that
 * stop a command from running (no such dir, bad ref, bad compatibility.json, registry unreachable) are
 * RelayErrors CONFIG_INVALID / NOT_FOUND / REGISTRY_UNAVAILABLE, which the CLI turns into exit code 2.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RelayError } from '../errors.ts';
import { readOptional } from './catalogue/catalogue.ts';
import { checkCompatibility } from './compat/check.ts';
import { parseSchemaText } from './compat/parse-schema.ts';
import { diffSchemas, formatChanges } from './diff/field-diff.ts';
import { GOVERNANCE_CONFIG_FILE, parseGovernanceConfig, type GovernanceConfig } from './config/governance-config.ts';
import { lintSchemas } from './lint/lint.ts';
import { applyPlan } from './plan/apply.ts';
import { hasChanges, isBreaking, planAll } from './plan/plan.ts';
import type { RegistryClient } from './registry/client.ts';
import { formatFindings, formatOutcome, formatPlan, formatVerdict } from './report/format.ts';
import { toEventSchemas, type EventSchema } from './source/event-schemas.ts';
import { createGitSource } from './source/git-schemas.ts';
import { earlierVersionsFromGit } from './source/git-versions.ts';
import { readSchemaDir } from './source/local-schemas.ts';

export interface Report {
  readonly lines: readonly string[];
  /** True when the command found breaking changes, lint errors, stale docs or refused changes. */
  readonly failed: boolean;
}

export async function lintDir(dir: string): Promise<Report> {
  const files = await readSchemas(dir);
  const findings = lintSchemas(files);
  return { lines: formatFindings(findings, files.length), failed: findings.length > 0 };
}

export async function loadEvents(dir: string): Promise<{ config: GovernanceConfig; events: readonly EventSchema[] }> {
  const config = await loadConfig(dir);
  const { events, problems } = toEventSchemas(await readSchemas(dir), config);
  if (problems.length > 0) {
    throw new RelayError(
      'CONFIG_INVALID',
      `cannot read the schemas (run \`schemas lint\`):\n${problems.map((problem) => `  ${problem.file}: ${problem.message}`).join('\n')}`,
    );
  }
  return { config, events };
}

/** `check --offline --against <ref>`: the working tree's schemas against their versions in git up to ref. */
export async function checkOffline(dir: string, ref: string): Promise<Report> {
  const git = await createGitSource(dir);
  const commit = await git.resolve(ref);
  if (commit === undefined) throw new RelayError('NOT_FOUND', `no such git revision: ${ref}`);
  return checkAgainstCommit(dir, commit, ref);
}

async function checkAgainstCommit(dir: string, commit: string, ref: string): Promise<Report> {
  const git = await createGitSource(dir);
  const { config, events } = await loadEvents(dir);
  const history = await earlierVersionsFromGit(git, commit, config);
  const lines: string[] = [`offline check against ${ref} (${commit.slice(0, 7)}), by Avro schema resolution`];
  let failed = false;
  for (const event of events) {
    const earlier = history.get(event.subject) ?? [];
    if (earlier.length === 0) {
      lines.push(`+ ${event.subject}: not in ${ref}, nothing to compare with`);
      continue;
    }
    const verdict = checkCompatibility(event.schema, earlier, event.level);
    failed ||= !verdict.compatible;
    lines.push(...formatVerdict(event.subject, verdict));
  }
  return { lines, failed };
}

/** `check` against the registry: the registry's verdict plus ours (which explains). */
export async function checkRegistry(dir: string, registry: RegistryClient): Promise<Report> {
  const { events } = await loadEvents(dir);
  const plans = await planAll(registry, events);
  const lines = [`check against ${registry.baseUrl}`];
  for (const plan of plans) {
    if (plan.action === 'unchanged')
      lines.push(`✓ ${plan.event.subject}: registered as version ${plan.registeredVersion ?? '?'}`);
    else if (plan.action === 'create-subject')
      lines.push(`+ ${plan.event.subject}: new subject, nothing to compare with`);
    else
      lines.push(
        ...formatPlan(plan)
          .filter((line) => !line.startsWith('~ '))
          .map((line) => line.replace(/^ {4}/, '')),
      );
  }
  return { lines, failed: plans.some(isBreaking) };
}

export async function planDir(dir: string, registry: RegistryClient): Promise<Report> {
  const { events } = await loadEvents(dir);
  const plans = await planAll(registry, events);
  const changing = plans.filter(hasChanges);
  const lines = [`plan against ${registry.baseUrl}`, ...plans.flatMap(formatPlan)];
  lines.push(
    changing.length === 0
      ? 'no changes: the registry matches the schemas'
      : `${changing.length} subject${changing.length === 1 ? '' : 's'} to change`,
  );
  return { lines, failed: plans.some(isBreaking) };
}

export async function applyDir(dir: string, registry: RegistryClient, allowBreaking: boolean): Promise<Report> {
  const { events } = await loadEvents(dir);
  const plans = await planAll(registry, events);
  const lines = [`apply to ${registry.baseUrl}`];
  let failed = false;
  for (const plan of plans) {
    if (isBreaking(plan)) lines.push(...formatVerdict(plan.event.subject, plan.verdict));
    const outcome = await applyPlan(registry, plan, { allowBreaking });
    failed ||= outcome.status === 'refused' || outcome.status === 'failed';
    lines.push(formatOutcome(plan, outcome));
  }
  return { lines, failed };
}

export interface DiffOptions {
  /** A registered version number; default: the latest. */
  readonly from?: number;
  /** A registered version number; default: the local schema. */
  readonly to?: number;
}

export async function diffEvent(
  dir: string,
  eventType: string,
  registry: RegistryClient,
  options: DiffOptions,
): Promise<Report> {
  const { events } = await loadEvents(dir);
  const event = events.find((candidate) => candidate.eventType === eventType || candidate.fullName === eventType);
  if (event === undefined) {
    const known = events.map((candidate) => candidate.eventType).join(', ');
    throw new RelayError('NOT_FOUND', `no event ${eventType} in ${dir} (known: ${known})`);
  }
  const registered = async (version: number | 'latest') => {
    const found = await registry.getVersion(event.subject, version);
    if (found === undefined) return undefined;
    const parsed = parseSchemaText(found.schema);
    if (!parsed.ok)
      throw new RelayError('CONFIG_INVALID', `${event.subject} version ${found.version}: ${parsed.message}`);
    return { label: `version ${found.version}`, root: parsed.schema.root };
  };
  const before = await registered(options.from ?? 'latest');
  if (before === undefined) {
    return {
      lines: [`${event.subject}: no version ${options.from ?? '(any)'} registered; nothing to diff`],
      failed: false,
    };
  }
  const after =
    options.to === undefined ? { label: `local ${event.file}`, root: event.schema.root } : await registered(options.to);
  if (after === undefined) throw new RelayError('NOT_FOUND', `${event.subject}: no version ${options.to ?? ''}`);
  const changes = formatChanges(diffSchemas(before.root, after.root));
  return {
    lines: [
      `${event.subject}: ${before.label} → ${after.label}`,
      ...(changes.length === 0 ? ['no field changes'] : changes),
    ],
    failed: false,
  };
}

export interface CiOptions {
  /** The branch the change will merge into; else $GITHUB_BASE_REF, else the previous commit. */
  readonly base: string | undefined;
}

/** `schemas ci`: lint, then the offline check against the merge base (or the previous commit). */
export async function ciDir(dir: string, options: CiOptions, env: NodeJS.ProcessEnv = process.env): Promise<Report> {
  const lint = await lintDir(dir);
  const git = await createGitSource(dir);
  const base = options.base ?? (env.GITHUB_BASE_REF ? `origin/${env.GITHUB_BASE_REF}` : undefined);
  const commit =
    base !== undefined ? ((await git.mergeBase(base)) ?? (await git.resolve(base))) : await git.resolve('HEAD~1');
  const described = base === undefined ? 'HEAD~1' : `merge base with ${base}`;
  if (commit === undefined) {
    return {
      lines: [
        ...lint.lines,
        `no ${described} to compare with (single commit or shallow clone): compatibility check skipped`,
      ],
      failed: lint.failed,
    };
  }
  const check = await checkAgainstCommit(dir, commit, described);
  return { lines: [...lint.lines, ...check.lines], failed: lint.failed || check.failed };
}

async function readSchemas(dir: string) {
  const info = await stat(dir).catch(() => undefined);
  if (info === undefined || !info.isDirectory()) {
    throw new RelayError('NOT_FOUND', `schema directory ${dir} does not exist`);
  }
  return readSchemaDir(dir);
}

async function loadConfig(dir: string): Promise<GovernanceConfig> {
  const result = parseGovernanceConfig(await readOptional(path.join(dir, GOVERNANCE_CONFIG_FILE)));
  if (!result.ok) throw new RelayError('CONFIG_INVALID', result.message);
  return result.config;
}
