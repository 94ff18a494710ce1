// Each scenario prints its figures as a table and writes them to test/faults/results/<scenario>.json
// (git-ignored), which RELIABILITY.md quotes from the latest run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { PROFILE } from './profile.ts';

export const RESULTS_DIR = new URL('../results/', import.meta.url).pathname;

export type Figures = Readonly<Record<string, number | string | boolean>>;

export function reportFigures(scenario: string, figures: Figures): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const record = { scenario, profile: PROFILE, finishedAt: new Date().toISOString(), figures };
  writeFileSync(`${RESULTS_DIR}${scenario}.json`, `${JSON.stringify(record, null, 2)}\n`);
  const width = Math.max(...Object.keys(figures).map((name) => name.length));
  const lines = Object.entries(figures).map(([name, value]) => `  ${name.padEnd(width)}  ${String(value)}`);
  console.log(`\n[faults] ${scenario} (profile ${PROFILE})\n${lines.join('\n')}\n`);
}

/** Counts of each value, sorted by value, as one figure per value. */
export function countsBy(values: readonly string[], prefix: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of [...values].sort()) counts[`${prefix}${value}`] = (counts[`${prefix}${value}`] ?? 0) + 1;
  return counts;
}
