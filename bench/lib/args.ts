/** The few command-line flags the benchmarks take: `--name <number>` and boolean `--flag`. */

export function hasFlag(name: string, argv: readonly string[] = process.argv): boolean {
  return argv.includes(name);
}

/** The number after `name`; `fallback` when absent. A present but invalid value is an error, not ignored. */
export function numberFlag(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const index = argv.indexOf(name);
  if (index < 0) return fallback;
  const raw = argv[index + 1];
  const value = Number(raw?.replaceAll('_', ''));
  if (raw === undefined || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} needs a positive number, got ${raw === undefined ? 'nothing' : `"${raw}"`}`);
  }
  return value;
}
