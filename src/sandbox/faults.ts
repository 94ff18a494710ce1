/**
 * Fault injection, configured at runtime through the admin API: answer with a status code, add latency,
 * reset the connection or dribble the response body, for a share of requests and/or for a time window,
 * optionally only for one endpoint family or only for requests whose body contains a given text. Pure selection; the server carries the effects out.
 */
import type { RateFamily } from '../klaviyo/contract/operations.ts';

export type FaultEffect =
  | { readonly kind: 'status'; readonly status: number; readonly retryAfterSeconds?: number }
  | { readonly kind: 'latency'; readonly ms: number }
  | { readonly kind: 'reset' }
  | { readonly kind: 'slow-body'; readonly ms: number };

export interface FaultRule {
  readonly id: number;
  readonly effect: FaultEffect;
  readonly family: RateFamily | undefined;
  /** Probability in [0, 1] that a matching request is affected. */
  readonly share: number;
  /** Epoch ms; the rule is inactive outside [from, until). */
  readonly from: number;
  readonly until: number;
  /** How many more requests it may affect (Infinity when unbounded). */
  remaining: number;
  /** Only requests whose body contains this text (e.g. one event's unique_id): a fault for one request. */
  readonly bodyContains: string | undefined;
}

export interface FaultSpec {
  readonly effect: FaultEffect;
  readonly family?: RateFamily;
  readonly share?: number;
  readonly delayMs?: number;
  readonly durationMs?: number;
  readonly count?: number;
  readonly bodyContains?: string;
}

export interface Faults {
  add(spec: FaultSpec, now: number): FaultRule;
  clear(): void;
  list(): readonly FaultRule[];
  /** The effects that apply to one request (at most one of each kind, first rule wins). */
  select(family: RateFamily, now: number, body?: string): FaultEffect[];
}

export function createFaults(random: () => number = Math.random): Faults {
  let rules: FaultRule[] = [];
  let nextId = 1;
  return {
    add(spec, now) {
      const from = now + (spec.delayMs ?? 0);
      const rule: FaultRule = {
        id: nextId++,
        effect: spec.effect,
        family: spec.family,
        share: spec.share ?? 1,
        from,
        until: spec.durationMs === undefined ? Number.POSITIVE_INFINITY : from + spec.durationMs,
        remaining: spec.count ?? Number.POSITIVE_INFINITY,
        bodyContains: spec.bodyContains,
      };
      rules.push(rule);
      return rule;
    },
    clear() {
      rules = [];
    },
    list: () => rules,
    select(family, now, body = '') {
      rules = rules.filter((rule) => rule.until > now && rule.remaining > 0);
      const chosen = new Map<FaultEffect['kind'], FaultEffect>();
      for (const rule of rules) {
        if (rule.from > now || (rule.family !== undefined && rule.family !== family)) continue;
        if (rule.bodyContains !== undefined && !body.includes(rule.bodyContains)) continue;
        if (chosen.has(rule.effect.kind) || random() >= rule.share) continue;
        rule.remaining -= 1;
        chosen.set(rule.effect.kind, rule.effect);
      }
      return [...chosen.values()];
    },
  };
}

/** Reads a fault spec from admin-API JSON, or explains what is wrong with it. */
export function parseFaultSpec(input: unknown): FaultSpec | string {
  if (typeof input !== 'object' || input === null) return 'body must be a JSON object';
  const raw = input as Record<string, unknown>;
  let effect: FaultEffect;
  if (typeof raw.status === 'number' && Number.isInteger(raw.status) && raw.status >= 100 && raw.status <= 599) {
    effect = {
      kind: 'status',
      status: raw.status,
      ...(typeof raw.retryAfterSeconds === 'number' ? { retryAfterSeconds: raw.retryAfterSeconds } : {}),
    };
  } else if (typeof raw.latencyMs === 'number' && raw.latencyMs >= 0) {
    effect = { kind: 'latency', ms: raw.latencyMs };
  } else if (raw.reset === true) {
    effect = { kind: 'reset' };
  } else if (typeof raw.slowBodyMs === 'number' && raw.slowBodyMs >= 0) {
    effect = { kind: 'slow-body', ms: raw.slowBodyMs };
  } else {
    return 'give one of status (100-599), latencyMs, reset: true or slowBodyMs';
  }
  if (raw.family !== undefined && raw.family !== 'events' && raw.family !== 'bulk' && raw.family !== 'profiles') {
    return 'family must be events, bulk or profiles';
  }
  if (raw.share !== undefined && !(typeof raw.share === 'number' && raw.share >= 0 && raw.share <= 1)) {
    return 'share must be a number in [0, 1]';
  }
  if (raw.bodyContains !== undefined && (typeof raw.bodyContains !== 'string' || raw.bodyContains === '')) {
    return 'bodyContains must be a non-empty string';
  }
  for (const key of ['delayMs', 'durationMs', 'count'] as const) {
    if (raw[key] !== undefined && !(typeof raw[key] === 'number' && raw[key] >= 0)) {
      return `${key} must be a non-negative number`;
    }
  }
  return {
    effect,
    ...(raw.family !== undefined ? { family: raw.family } : {}),
    ...(typeof raw.share === 'number' ? { share: raw.share } : {}),
    ...(typeof raw.delayMs === 'number' ? { delayMs: raw.delayMs } : {}),
    ...(typeof raw.durationMs === 'number' ? { durationMs: raw.durationMs } : {}),
    ...(typeof raw.count === 'number' ? { count: raw.count } : {}),
    ...(typeof raw.bodyContains === 'string' ? { bodyContains: raw.bodyContains } : {}),
  };
}
