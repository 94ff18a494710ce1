/**
 * The CLI's filters as a query string: the same names (`code`, `stage`, `type`, `key`, `since`, `until`,
 * `partition`, `offset`, `limit`, `include-handled`), parsed by the CLI's own parser (src/dlq/filter.ts),
 * so a filter means in the browser exactly what it means on the command line. Pure.
 */
import type { FilterOptions } from '../dlq/filter.ts';

export const FILTER_FIELDS = [
  'code',
  'stage',
  'type',
  'key',
  'since',
  'until',
  'partition',
  'offset',
  'limit',
] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];
const REPEATABLE: readonly FilterField[] = ['code', 'stage', 'type', 'key'];

/** Filter options from form fields; empty fields are not given. */
export function filterOptionsFrom(params: URLSearchParams): FilterOptions {
  const options: Record<string, string | string[]> = {};
  for (const field of FILTER_FIELDS) {
    const values = params
      .getAll(field)
      .map((value) => value.trim())
      .filter((value) => value !== '');
    if (values.length === 0) continue;
    options[field] = REPEATABLE.includes(field) ? values : (values[values.length - 1] ?? '');
  }
  return options as FilterOptions;
}

export function includeHandledFrom(params: URLSearchParams): boolean {
  return params.get('include-handled') === 'on' || params.get('include-handled') === 'true';
}

/** Only the filter fields (and include-handled) of `params`, for links that keep the current filter. */
export function filterQuery(params: URLSearchParams): URLSearchParams {
  const kept = new URLSearchParams();
  for (const field of [...FILTER_FIELDS, 'include-handled'])
    for (const value of params.getAll(field)) if (value.trim() !== '') kept.append(field, value.trim());
  return kept;
}

/** The equivalent command-line flags, for the audit record's `command`: what a CLI user would have typed. */
export function filterArgs(params: URLSearchParams): string[] {
  const args: string[] = [];
  for (const [field, value] of filterQuery(params)) {
    if (field === 'include-handled') args.push('--include-handled');
    else args.push(`--${field}`, value);
  }
  return args;
}
