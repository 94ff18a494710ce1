/**
 * `schemas/compatibility.json`: the compatibility level of each subject (default FULL_TRANSITIVE) and,
 * for events the relay does not know yet, the topic they are published on. It lives next to the schemas
 * so a `--dir` carries its own policy, and a level change is reviewed like a schema change.
 *
 * {
 *   "default": "FULL_TRANSITIVE",
 *   "subjects": { "commerce.order.events-com.klaviyorelay.commerce.OrderPlaced": "BACKWARD" },
 *   "topics": { "com.acme.NewEvent": "acme.events" },
 *   "baselines": { "<subject>": "<commit>" }
 * }
 *
 * `baselines` makes the offline check forget a subject's git history before a commit (see
 * source/git-versions.ts); use it only together with `apply --allow-breaking` for a deliberate break.
 */
import { z } from 'zod';
import { COMPATIBILITY_LEVELS, DEFAULT_LEVEL, type CompatibilityLevel } from '../compat/levels.ts';

export const GOVERNANCE_CONFIG_FILE = 'compatibility.json';

const level = z.enum(COMPATIBILITY_LEVELS);

const configSchema = z
  .object({
    $comment: z.string().optional(),
    default: level.default(DEFAULT_LEVEL),
    subjects: z.record(z.string().min(1), level).default({}),
    topics: z.record(z.string().min(1), z.string().min(1)).default({}),
    baselines: z.record(z.string().min(1), z.string().min(1)).default({}),
  })
  .strict();

export interface GovernanceConfig {
  readonly defaultLevel: CompatibilityLevel;
  readonly subjectLevels: Readonly<Record<string, CompatibilityLevel>>;
  /** Topic of an event, by the Avro full name of its record; overrides the relay's default topics. */
  readonly topics: Readonly<Record<string, string>>;
  /** Git commit from which the offline check counts a subject's versions. */
  readonly baselines: Readonly<Record<string, string>>;
}

export const DEFAULT_GOVERNANCE_CONFIG: GovernanceConfig = {
  defaultLevel: DEFAULT_LEVEL,
  subjectLevels: {},
  topics: {},
  baselines: {},
};

export type GovernanceConfigResult =
  { readonly ok: true; readonly config: GovernanceConfig } | { readonly ok: false; readonly message: string };

/** Parses the file's text (undefined: no file, defaults apply). Never throws. */
export function parseGovernanceConfig(text: string | undefined): GovernanceConfigResult {
  if (text === undefined) return { ok: true, config: DEFAULT_GOVERNANCE_CONFIG };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `${GOVERNANCE_CONFIG_FILE} is not JSON: ${String(error)}` };
  }
  const parsed = configSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    return { ok: false, message: `${GOVERNANCE_CONFIG_FILE} is invalid: ${problems.join('; ')}` };
  }
  return {
    ok: true,
    config: {
      defaultLevel: parsed.data.default,
      subjectLevels: parsed.data.subjects,
      topics: parsed.data.topics,
      baselines: parsed.data.baselines,
    },
  };
}

export function levelFor(config: GovernanceConfig, subject: string): CompatibilityLevel {
  return config.subjectLevels[subject] ?? config.defaultLevel;
}
