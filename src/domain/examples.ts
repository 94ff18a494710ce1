/**
 * The example events in schemas/examples/<EventType>.json: the guide's people, orders and values, in the
 * `{ type, data }` shape. Used by tests, the demo and the docs. Reads files, so call it from tests and
 * tools, not from the hot path.
 */
import { readFileSync } from 'node:fs';
import type { DomainEventOf, DomainEventType } from './events.ts';

export const EXAMPLES_DIR = new URL('../../schemas/examples/', import.meta.url);

/** The example of `type`, parsed but not validated (tests validate it). */
export function loadExample<T extends DomainEventType>(type: T): DomainEventOf<T> {
  return JSON.parse(readFileSync(new URL(`${type}.json`, EXAMPLES_DIR), 'utf8')) as DomainEventOf<T>;
}
