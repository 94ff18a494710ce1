/**
 * Compatibility levels as Confluent defines them (and Apicurio's ccompat API reports them). BACKWARD:
 * the new schema reads data written with earlier ones (consumers upgrade first). FORWARD: earlier
 * schemas read data written with the new one (producers upgrade first). FULL: both. The TRANSITIVE forms
 * compare with every earlier version, the others with the latest only.
 */
export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/** Our default for domain-event subjects: any consumer and any producer version may meet any other. */
export const DEFAULT_LEVEL: CompatibilityLevel = 'FULL_TRANSITIVE';

/** backward: new schema reads old data. forward: old schemas read new data. */
export type Direction = 'backward' | 'forward';

export interface LevelRule {
  readonly directions: readonly Direction[];
  readonly transitive: boolean;
}

export const LEVEL_RULES: Readonly<Record<CompatibilityLevel, LevelRule>> = {
  NONE: { directions: [], transitive: false },
  BACKWARD: { directions: ['backward'], transitive: false },
  BACKWARD_TRANSITIVE: { directions: ['backward'], transitive: true },
  FORWARD: { directions: ['forward'], transitive: false },
  FORWARD_TRANSITIVE: { directions: ['forward'], transitive: true },
  FULL: { directions: ['backward', 'forward'], transitive: false },
  FULL_TRANSITIVE: { directions: ['backward', 'forward'], transitive: true },
};

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}
