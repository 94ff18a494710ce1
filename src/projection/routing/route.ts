/**
 * Pure lead routing: the first rule whose conditions all hold and that has a rep available wins; inside it,
 * a weighted choice among available reps that depends only on the lead id, so a replay routes to the same
 * rep. The choice is weighted rendezvous hashing: each rep draws an exponential "arrival time" with rate
 * equal to its weight from a hash of (lead id, rep), the earliest wins. The winner is rep i with probability
 * weight_i / Σ weights, and a rep going away moves only that rep's leads, not everyone's.
 */
import { createHash } from 'node:crypto';
import { readLeadField, type RoutableLead } from './lead-fields.ts';
import type { Rep, RoutingRule, RoutingRules } from './rules.ts';

export interface RoutingDecision {
  /** The matching rule, or undefined when the lead went to the fallback. */
  readonly rule: string | undefined;
  readonly assignee: { readonly email: string; readonly name: string };
}

/**
 * Routes a lead at a given instant; out-of-office windows are judged at that instant. The projection passes
 * the lead's occurredAt, not the wall clock, so routing is a function of the event alone: a replay next month
 * goes to the rep who was on duty when the lead came in.
 */
export function routeLead(lead: RoutableLead, rules: RoutingRules, at: number): RoutingDecision {
  for (const rule of rules.rules) {
    if (!matches(rule, lead)) continue;
    const available = rule.reps.filter((rep) => isAvailable(rep, at));
    // A rule whose reps are all away does not swallow the lead: the next matching rule or the fallback gets it.
    const chosen = chooseRep(available, lead.leadId);
    if (chosen !== undefined) return { rule: rule.name, assignee: { email: chosen.email, name: chosen.name } };
  }
  const fallback = rules.fallback;
  return {
    rule: undefined,
    assignee:
      fallback.kind === 'rep'
        ? { email: fallback.rep.email, name: fallback.rep.name }
        : { email: fallback.email, name: fallback.name },
  };
}

export function isAvailable(rep: Rep, at: number): boolean {
  return rep.active && !rep.outOfOffice.some((window) => at >= window.from && at < window.until);
}

function matches(rule: RoutingRule, lead: RoutableLead): boolean {
  if (!oneOf(rule.country, lead.countryCode)) return false;
  if (!oneOf(rule.region, lead.regionCode)) return false;
  if (!oneOf(rule.source, lead.leadSource)) return false;
  if (rule.companySize !== undefined) {
    const size = lead.companySize;
    if (size === null) return false;
    if (rule.companySize.min !== undefined && size < rule.companySize.min) return false;
    if (rule.companySize.max !== undefined && size > rule.companySize.max) return false;
  }
  for (const [field, accepted] of rule.fields) {
    const value = readLeadField(lead, field);
    if (value === null) return false;
    const comparable = typeof value === 'string' ? value.toLowerCase() : value;
    // YAML may read `fields: { companySize: 50 }` as a number and a map value as text: compare both ways.
    if (!accepted.some((candidate) => candidate === comparable || String(candidate) === String(comparable)))
      return false;
  }
  return true;
}

/** No condition (undefined) holds for everything; a condition never holds for a missing value. */
function oneOf(accepted: readonly string[] | undefined, value: string | null): boolean {
  if (accepted === undefined) return true;
  return value !== null && accepted.includes(value.toLowerCase());
}

export function chooseRep(reps: readonly Rep[], leadId: string): Rep | undefined {
  let best: Rep | undefined;
  let bestArrival = Infinity;
  for (const rep of reps) {
    const arrival = -Math.log(uniformFromHash(`${leadId}\u0000${rep.email.toLowerCase()}`)) / rep.weight;
    if (arrival < bestArrival) {
      best = rep;
      bestArrival = arrival;
    }
  }
  return best;
}

/** A uniform number in (0, 1) from the first 52 bits of SHA-256: deterministic, no clock, no state. */
function uniformFromHash(key: string): number {
  const digest = createHash('sha256').update(key).digest();
  const high = digest.readUInt32BE(0) >>> 12; // 20 bits
  const low = digest.readUInt32BE(4); // 32 bits
  return (high * 2 ** 32 + low + 0.5) / 2 ** 52;
}
