/**
 * Klaviyo's `time`: ISO 8601 with an explicit offset, as the OpenAPI example writes it
 * (`2022-11-08T00:00:00+00:00`). Klaviyo truncates to the second, so we do too: the request we record on
 * the outbound topic is then exactly what Klaviyo keeps.
 */
import { EARLIEST_EVENT_TIME_MS } from '../domain/klaviyo-bounds.ts';
import { RelayError } from '../errors.ts';

export { EARLIEST_EVENT_TIME_MS };

const MS_PER_YEAR = 365 * 24 * 60 * 60 * 1000;

export function toKlaviyoTime(epochMillis: number): string {
  const iso = new Date(Math.floor(epochMillis / 1000) * 1000).toISOString();
  // toISOString always ends in `.000Z` here (whole seconds, UTC).
  return `${iso.slice(0, 19)}+00:00`;
}

/** ISO 8601 in UTC with milliseconds, for the request envelope (audit and latency), not for Klaviyo. */
export function toIsoInstant(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}

/** Klaviyo accepts event times after 2000 (our floor) and at most one year after the time it receives them. */
export function checkEventTime(epochMillis: number, now: number, field: string): void {
  if (!Number.isFinite(epochMillis)) {
    throw new RelayError('KLAVIYO_LIMIT_EXCEEDED', `${field} is not a valid time`, { detail: { path: field } });
  }
  if (epochMillis < EARLIEST_EVENT_TIME_MS) {
    throw new RelayError('KLAVIYO_LIMIT_EXCEEDED', `${field} ${describe(epochMillis)} is before 2000-01-01`, {
      detail: { path: field, limit: 'time-after-2000' },
    });
  }
  if (epochMillis > now + MS_PER_YEAR) {
    throw new RelayError('KLAVIYO_LIMIT_EXCEEDED', `${field} ${describe(epochMillis)} is more than one year ahead`, {
      detail: { path: field, limit: 'time-within-one-year' },
    });
  }
}

function describe(epochMillis: number): string {
  const date = new Date(epochMillis);
  return Number.isNaN(date.getTime()) ? String(epochMillis) : date.toISOString();
}
