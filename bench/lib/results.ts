/** Writes bench/results/<name>.json (the latest figures; BENCHMARKS.md quotes them). */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';

const RESULTS_DIR = new URL('../results/', import.meta.url);

export function writeResults(name: string, results: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = new URL(`${name}.json`, RESULTS_DIR);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file.pathname;
}

/** A results file written earlier (by this run's parts), or undefined when that part has not run. */
export function readResults(name: string): unknown {
  const file = new URL(`${name}.json`, RESULTS_DIR);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined;
}
