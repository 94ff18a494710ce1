/**
 * The bounds a domain event must keep to be sendable at all, because Klaviyo keeps them: the event
 * validator refuses what breaks them (a dead letter at validate, with a reason), and the projection checks
 * its requests against the same numbers (projection/limits.ts, projection/time.ts). They live here, in the
 * lowest layer, so the validator needs nothing from the projection.
 */

/** Klaviyo: "each string cannot be larger than 100 KB" (UTF-8 bytes). */
export const MAX_STRING_BYTES = 100 * 1024;

/** The earliest event time we send (Klaviyo's spec says after 1990; a time before 2000 is a producer bug). */
export const EARLIEST_EVENT_TIME_MS = Date.UTC(2000, 0, 1);
