/** Plain-text reports of the governance commands: what a reviewer reads in a CI log. Pure. */
import type { Break, CompatibilityVerdict } from '../compat/check.ts';
import type { LintFinding } from '../lint/finding.ts';
import type { ApplyOutcome } from '../plan/apply.ts';
import { isBreaking, levelChanges, type SubjectPlan } from '../plan/plan.ts';

export function formatFindings(findings: readonly LintFinding[], fileCount: number): string[] {
  const lines = findings.flatMap((found) => [
    `${found.file} ${found.jsonPath}  [${found.ruleId}] ${found.message}`,
    `    fix: ${found.fix}`,
  ]);
  lines.push(
    findings.length === 0
      ? `lint: ${fileCount} schema file${fileCount === 1 ? '' : 's'}, no findings`
      : `lint: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${new Set(findings.map((found) => found.file)).size} of ${fileCount} files`,
  );
  return lines;
}

export function formatVerdict(subject: string, verdict: CompatibilityVerdict): string[] {
  const against =
    verdict.comparedWith.length === 0
      ? 'nothing to compare with'
      : verdict.comparedWith.length === 1
        ? `against ${verdict.comparedWith[0]}`
        : `against ${verdict.comparedWith.length} versions (${verdict.comparedWith[0]} … ${verdict.comparedWith[verdict.comparedWith.length - 1]})`;
  if (verdict.compatible) return [`✓ ${subject}: compatible (${verdict.level}, ${against})`];
  return [`✗ ${subject}: BREAKING under ${verdict.level} (${against})`, ...dedupe(verdict.breaks).flatMap(formatBreak)];
}

function formatBreak(found: Break): string[] {
  return [
    `  - ${found.explanation.change}`,
    `    breaks: ${found.explanation.impact}`,
    `    fix: ${found.explanation.fix}`,
  ];
}

/** The same break against several versions is said once, naming the first version it breaks against. */
function dedupe(breaks: readonly Break[]): Break[] {
  const seen = new Set<string>();
  return breaks.filter((found) => {
    const key = `${found.direction}|${found.explanation.change}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function formatPlan(plan: SubjectPlan): string[] {
  const subject = plan.event.subject;
  const lines: string[] = [];
  const action =
    plan.action === 'create-subject'
      ? `+ create subject ${subject} (version 1 from ${plan.event.file})`
      : plan.action === 'register-version'
        ? `~ register ${subject} version ${(plan.latestVersion ?? 0) + 1} (from ${plan.event.file})`
        : `  ${subject}: schema already registered as version ${plan.registeredVersion ?? '?'}`;
  lines.push(action);
  if (levelChanges(plan)) {
    lines.push(`    set compatibility ${plan.registryLevel ?? '(unset)'} → ${plan.desiredLevel}`);
  }
  if (plan.action === 'register-version') {
    lines.push(...formatVerdict(subject, plan.verdict).map((line) => `    ${line}`));
    if (plan.registryCompatible === false && plan.verdict.compatible) {
      lines.push(`    ✗ the registry (at ${plan.registryLevel ?? 'its'} level) reports it incompatible`);
    }
    if (plan.unreadableVersions.length > 0) {
      lines.push(`    note: versions ${plan.unreadableVersions.join(', ')} could not be parsed locally`);
    }
  }
  if (isBreaking(plan)) lines.push('    apply will refuse this change unless --allow-breaking');
  return lines;
}

export function formatOutcome(plan: SubjectPlan, outcome: ApplyOutcome): string {
  const subject = plan.event.subject;
  switch (outcome.status) {
    case 'unchanged':
      return `  ${subject}: unchanged`;
    case 'applied':
      return `✓ ${subject}: ${[
        outcome.registeredId === undefined ? undefined : `registered (schema id ${outcome.registeredId})`,
        outcome.levelSet ? `compatibility ${plan.desiredLevel}` : undefined,
      ]
        .filter((part) => part !== undefined)
        .join(', ')}`;
    case 'refused':
      return `✗ ${subject}: refused: ${outcome.reason}`;
    case 'failed':
      return `✗ ${subject}: failed: ${outcome.reason}`;
  }
}
