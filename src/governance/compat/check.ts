/**
 * The offline compatibility gate: a candidate schema against the earlier versions of its subject, at a
 * compatibility level, with every break explained. Pure: the versions come from git or the registry.
 */
import type { ParsedSchema } from './parse-schema.ts';
import { explain, type Explanation } from './explain.ts';
import { LEVEL_RULES, type CompatibilityLevel, type Direction } from './levels.ts';
import { resolveIncompatibilities, type Incompatibility } from './resolve.ts';

export interface EarlierVersion {
  /** How a reviewer names this version: `version 3`, `a1b2c3d (git)`. */
  readonly label: string;
  readonly schema: ParsedSchema;
}

export interface Break {
  readonly direction: Direction;
  /** The earlier version this break is against. */
  readonly against: string;
  readonly incompatibility: Incompatibility;
  readonly explanation: Explanation;
}

export interface CompatibilityVerdict {
  readonly level: CompatibilityLevel;
  readonly compatible: boolean;
  /** Labels of the versions actually compared (the latest only, or all for TRANSITIVE levels). */
  readonly comparedWith: readonly string[];
  readonly breaks: readonly Break[];
}

/** `earlier` is ordered oldest first; the last one is the latest. */
export function checkCompatibility(
  candidate: ParsedSchema,
  earlier: readonly EarlierVersion[],
  level: CompatibilityLevel,
): CompatibilityVerdict {
  const rule = LEVEL_RULES[level];
  const latest = earlier[earlier.length - 1];
  const compared = rule.directions.length === 0 ? [] : rule.transitive ? earlier : latest ? [latest] : [];
  const breaks = compared.flatMap((version) =>
    rule.directions.flatMap((direction) =>
      incompatibilities(candidate, version.schema, direction).map((incompatibility) => ({
        direction,
        against: version.label,
        incompatibility,
        explanation: explain(incompatibility, direction, version.label),
      })),
    ),
  );
  return { level, compatible: breaks.length === 0, comparedWith: compared.map((version) => version.label), breaks };
}

function incompatibilities(candidate: ParsedSchema, earlier: ParsedSchema, direction: Direction) {
  return direction === 'backward'
    ? resolveIncompatibilities(earlier.root, candidate.root)
    : resolveIncompatibilities(candidate.root, earlier.root);
}
