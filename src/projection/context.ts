/**
 * Everything the projection needs besides the event, passed in so `project` stays pure: the instant to judge
 * freshness and Klaviyo's time window against, the profile identifiers to send, the per-metric freshness
 * windows and the lead routing rules.
 */
import type { Config, ProfileIdentifier } from '../config/config.ts';
import { parseFreshnessWindows, type BackfillHint, type FreshnessWindows } from './freshness.ts';
import type { RoutingRules } from './routing/rules.ts';

export interface ProjectionContext {
  /** Epoch millis of "now" (the projector's clock, read at the edge; a CLI may pin it). */
  readonly now: number;
  /** Which identifiers to put on profiles (RELAY_PROFILE_IDENTIFIERS). */
  readonly identifiers: readonly ProfileIdentifier[];
  /** Per-metric freshness windows (RELAY_FRESHNESS_WINDOWS). */
  readonly freshness: FreshnessWindows;
  /** Lead routing rules (RELAY_LEAD_ROUTING_FILE); without them LeadCaptured yields no New Lead. */
  readonly routing: RoutingRules | undefined;
  /** A dead-letter replay's backfill request for this record (absent: only the freshness windows decide). */
  readonly backfill?: BackfillHint;
}

/** A context for a given instant (and record's backfill hint); the settings were validated once, at creation. */
export type ProjectionContextAt = (now: number, backfill?: BackfillHint) => ProjectionContext;

export type ProjectionConfig = { readonly relay: Pick<Config['relay'], 'profileIdentifiers' | 'freshnessWindows'> };

/**
 * Validates the projection settings once, at startup (throws RelayError CONFIG_INVALID naming the variable),
 * and returns a cheap function the projector calls with its clock for each batch. I/O-free: the routing
 * rules come already loaded (routing/load.ts).
 */
export function createProjectionContext(
  config: ProjectionConfig,
  rules: RoutingRules | undefined,
): ProjectionContextAt {
  const identifiers = Object.freeze([...config.relay.profileIdentifiers]);
  const freshness = parseFreshnessWindows(config.relay.freshnessWindows);
  return (now, backfill) => ({ now, identifiers, freshness, routing: rules, ...(backfill ? { backfill } : {}) });
}
