/**
 * What keeps a dlq operation from hurting: the rules every caller inherits (the CLI, the console),
 * because they live here in the operations layer and not in a command's option parsing. Pure.
 *
 * - A command that changes something (replay, park, purge) works on dead-letter topics only (`.dlq`,
 *   `.parked`): a typo that names a domain topic must not delete or re-send its records. `force` lifts it.
 * - `purge --all` deletes the whole log, whatever filters were given; filters next to it mean the operator
 *   believed they narrow it, so the combination is refused rather than guessed at.
 */
import { RelayError } from '../errors.ts';
import type { DlqFilter } from './filter.ts';

const DEAD_LETTER_SUFFIXES = ['.dlq', '.parked'] as const;

/** `<topic>.dlq`, `klaviyo.requests.dlq`, `<topic>.dlq.parked`. */
export function isDeadLetterTopic(topic: string): boolean {
  return DEAD_LETTER_SUFFIXES.some((suffix) => topic.endsWith(suffix) && topic.length > suffix.length);
}

/** Throws USAGE_INVALID unless `topic` is a dead-letter topic or the caller forces it. */
export function assertChangeableTopic(topic: string, operation: string, force: boolean | undefined): void {
  if (force === true || isDeadLetterTopic(topic)) return;
  throw new RelayError(
    'USAGE_INVALID',
    `${operation} changes only dead-letter topics (${DEAD_LETTER_SUFFIXES.join(', ')}); ${topic} is not one (--force to ${operation} it anyway)`,
    { detail: { topic, operation } },
  );
}

/** The filter options in effect, by their command-line names (empty: no filter). */
export function filtersGiven(filter: DlqFilter): string[] {
  const given: string[] = [];
  if (filter.codes.length > 0) given.push('--code');
  if (filter.stages.length > 0) given.push('--stage');
  if (filter.types.length > 0) given.push('--type');
  if (filter.keys.length > 0) given.push('--key');
  if (filter.since !== undefined) given.push('--since');
  if (filter.until !== undefined) given.push('--until');
  if (filter.partitions.length > 0) given.push('--partition');
  if (filter.offsets.length > 0) given.push('--offset');
  if (filter.limit !== undefined) given.push('--limit');
  return given;
}

/** `--all` deletes everything: refuse it next to any filter (USAGE_INVALID), rather than ignore the filter. */
export function assertPurgeAllUnfiltered(filter: DlqFilter): void {
  const given = filtersGiven(filter);
  if (given.length === 0) return;
  throw new RelayError(
    'USAGE_INVALID',
    `--all deletes every record of the topic and takes no filters (${given.join(', ')} given); drop --all to purge what the filters select`,
    { detail: { filters: given } },
  );
}

/** The error for a topic the command names that does not exist. */
export function topicNotFound(topic: string): RelayError {
  return new RelayError('NOT_FOUND', `topic ${topic} does not exist`, { detail: { topic } });
}
