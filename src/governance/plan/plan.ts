/**
 * What registering the local schemas would change, subject by subject: a new subject, a new version or
 * nothing; the compatibility level to set; and the compatibility verdict, from the registry's API and
 * from our own walker (which says why). `check` shows the verdicts, `plan` the changes, `apply` makes them.
 */
import { checkCompatibility, type CompatibilityVerdict, type EarlierVersion } from '../compat/check.ts';
import { LEVEL_RULES, type CompatibilityLevel } from '../compat/levels.ts';
import { parseSchemaText } from '../compat/parse-schema.ts';
import type { RegistryClient } from '../registry/client.ts';
import type { EventSchema } from '../source/event-schemas.ts';

export type SchemaAction =
  /** The subject does not exist yet: its first version. */
  | 'create-subject'
  /** The subject exists and does not hold this schema: a new version. */
  | 'register-version'
  /** The subject already holds exactly this schema. */
  | 'unchanged';

export interface SubjectPlan {
  readonly event: EventSchema;
  readonly action: SchemaAction;
  /** The version holding this schema already (action unchanged). */
  readonly registeredVersion: number | undefined;
  readonly latestVersion: number | undefined;
  /** The level the registry applies today (undefined: unknown subject without config). */
  readonly registryLevel: CompatibilityLevel | undefined;
  readonly desiredLevel: CompatibilityLevel;
  /** Our verdict at the desired level against the registered versions, with explanations. */
  readonly verdict: CompatibilityVerdict;
  /** The registry's own verdict (at the level it applies today), for new versions. */
  readonly registryCompatible: boolean | undefined;
  /** Unparseable registered versions we could not compare with (still compared by the registry). */
  readonly unreadableVersions: readonly number[];
}

export function levelChanges(plan: SubjectPlan): boolean {
  return plan.registryLevel !== plan.desiredLevel;
}

/** A new version that breaks the desired level, or that the registry itself refuses. */
export function isBreaking(plan: SubjectPlan): boolean {
  return plan.action !== 'unchanged' && (!plan.verdict.compatible || plan.registryCompatible === false);
}

export function hasChanges(plan: SubjectPlan): boolean {
  return plan.action !== 'unchanged' || levelChanges(plan);
}

export async function planSubject(registry: RegistryClient, event: EventSchema): Promise<SubjectPlan> {
  const versions = await registry.listVersions(event.subject);
  const registryLevel = await registry.getLevel(event.subject);
  const existing = versions.length > 0 ? await registry.lookup(event.subject, event.text) : undefined;
  const earlier: EarlierVersion[] = [];
  const unreadableVersions: number[] = [];
  for (const version of versions) {
    // Versions after the one that holds this very schema are not "earlier" for it.
    if (existing !== undefined && version >= existing.version) break;
    const registered = await registry.getVersion(event.subject, version);
    const parsed = registered === undefined ? undefined : parseSchemaText(registered.schema);
    if (parsed?.ok === true) earlier.push({ label: `version ${version}`, schema: parsed.schema });
    else unreadableVersions.push(version);
  }
  const action: SchemaAction =
    existing !== undefined ? 'unchanged' : versions.length === 0 ? 'create-subject' : 'register-version';
  const registryCompatible =
    action === 'register-version'
      ? (await registry.testCompatibility(event.subject, event.text, LEVEL_RULES[registryLevel ?? 'NONE'].transitive))
          .compatible
      : undefined;
  return {
    event,
    action,
    registeredVersion: existing?.version,
    latestVersion: versions[versions.length - 1],
    registryLevel,
    desiredLevel: event.level,
    verdict: checkCompatibility(event.schema, earlier, event.level),
    registryCompatible,
    unreadableVersions,
  };
}

export async function planAll(registry: RegistryClient, events: readonly EventSchema[]): Promise<SubjectPlan[]> {
  const plans: SubjectPlan[] = [];
  // One subject at a time: the registry is shared and small; order follows the files.
  for (const event of events) plans.push(await planSubject(registry, event));
  return plans;
}
