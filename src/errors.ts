/**
 * One error type for the whole relay, with a closed union of codes, and one total `classify()` that
 * turns anything thrown into a decision. DESIGN.md §3 (the failure policy) lives here as a table, so the
 * projector, the dispatcher and the replay tool cannot disagree about what a failure means.
 */

/** Where in the pipeline a record failed. Written to the `relay.dlq.stage` header. */
export type Stage = 'decode' | 'validate' | 'project' | 'deliver';

/** What the pipeline does with a failure. */
export type Action =
  /** The record can never succeed as it is: park it in a dead-letter topic and move on. */
  | 'dead-letter'
  /** The world is temporarily wrong (network, rate limit, outage): wait and try the same record again. */
  | 'retry'
  /** Our own credentials are wrong: stop delivering everything, keep it all in Kafka, report unhealthy. */
  | 'halt';

interface PolicyRow {
  readonly stage: Stage | 'infra';
  readonly action: Action;
  readonly summary: string;
  /**
   * false for a retry that concerns one request, not the health of Klaviyo: the circuit breaker, which
   * pauses a whole endpoint family, does not count it.
   */
  readonly outage?: false;
}

/**
 * The failure policy. Every code the relay can produce is a row; adding a code without deciding what it
 * means is a compile error (the `satisfies` clause keeps the table total).
 */
export const FAILURE_POLICY = {
  // decode: the bytes are not something we can read
  NOT_WIRE_FORMAT: { stage: 'decode', action: 'dead-letter', summary: 'bytes are not in Confluent wire format' },
  UNKNOWN_SCHEMA_ID: { stage: 'decode', action: 'dead-letter', summary: 'schema id is not in the registry' },
  CORRUPT_AVRO: { stage: 'decode', action: 'dead-letter', summary: 'Avro body is corrupt or truncated' },
  UNRESOLVABLE_SCHEMA: {
    stage: 'decode',
    action: 'dead-letter',
    summary: 'writer schema cannot be resolved to the reader schema',
  },
  UNKNOWN_EVENT_TYPE: { stage: 'decode', action: 'dead-letter', summary: 'record is not a known domain event type' },
  // validate: readable, but not a fact we may send to Klaviyo
  VALIDATION_FAILED: { stage: 'validate', action: 'dead-letter', summary: 'event failed validation' },
  // project: valid event, but no Klaviyo request can be built from it
  PROJECTION_FAILED: { stage: 'project', action: 'dead-letter', summary: 'event could not be projected' },
  KLAVIYO_LIMIT_EXCEEDED: {
    stage: 'project',
    action: 'dead-letter',
    summary: "request would exceed one of Klaviyo's documented limits",
  },
  NO_PROFILE_IDENTIFIER: { stage: 'project', action: 'dead-letter', summary: 'event identifies no profile' },
  OUTBOUND_TOO_LARGE: {
    stage: 'project',
    action: 'dead-letter',
    summary: "the event's Klaviyo requests are larger than the outbound topic accepts (max.message.bytes)",
  },
  // deliver: what Klaviyo (or the way to it) said
  KLAVIYO_REJECTED: { stage: 'deliver', action: 'dead-letter', summary: 'Klaviyo rejected the request (400/422)' },
  KLAVIYO_CONFLICT: { stage: 'deliver', action: 'dead-letter', summary: 'Klaviyo reported a conflict (409)' },
  KLAVIYO_NOT_FOUND: { stage: 'deliver', action: 'dead-letter', summary: 'Klaviyo found no such resource (404)' },
  PROFILE_NOT_FOUND_YET: {
    stage: 'deliver',
    action: 'retry',
    outage: false,
    summary:
      'no Klaviyo profile matches a profile update’s lookup yet: the event that creates the profile may still be on its way in a lower class’s topic',
  },
  MALFORMED_REQUEST: {
    stage: 'deliver',
    action: 'dead-letter',
    summary: 'record on the outbound topic is not a Klaviyo request',
  },
  KLAVIYO_RATE_LIMITED: { stage: 'deliver', action: 'retry', summary: 'Klaviyo rate limit (429)' },
  KLAVIYO_UNAVAILABLE: { stage: 'deliver', action: 'retry', summary: 'Klaviyo is unavailable (408/425/5xx)' },
  KLAVIYO_UNAUTHORIZED: { stage: 'deliver', action: 'halt', summary: 'Klaviyo refused our credentials (401/403)' },
  HTTP_CLIENT_REFUSED: {
    stage: 'deliver',
    action: 'halt',
    summary:
      'the HTTP client refused to send the request (an invalid header or argument, e.g. a malformed API key); nothing reached Klaviyo',
  },
  NETWORK_ERROR: { stage: 'deliver', action: 'retry', summary: 'connection to Klaviyo failed' },
  TIMEOUT: { stage: 'deliver', action: 'retry', summary: 'request to Klaviyo timed out' },
  DELIVERY_EXPIRED: {
    stage: 'deliver',
    action: 'dead-letter',
    summary: 'still failing transiently after RELAY_RETRY_MAX_AGE_MS of retries (replay it once Klaviyo accepts it)',
  },
  DELIVERY_ABORTED: {
    stage: 'deliver',
    action: 'retry',
    summary: 'delivery abandoned before sending (stop or lost partition); nothing reached Klaviyo',
  },
  // infrastructure: never the record's fault
  REGISTRY_UNAVAILABLE: { stage: 'infra', action: 'retry', summary: 'schema registry is unreachable' },
  KAFKA_UNAVAILABLE: { stage: 'infra', action: 'retry', summary: 'Kafka is unreachable' },
  SCHEMA_REJECTED: {
    stage: 'infra',
    action: 'halt',
    summary: 'the schema registry rejected a schema we produce with (incompatible or invalid)',
  },
  CONFIG_INVALID: { stage: 'infra', action: 'halt', summary: 'configuration is invalid' },
  // operator tools: what a command was asked cannot be done as asked (exit 2, nothing changed)
  USAGE_INVALID: { stage: 'infra', action: 'halt', summary: 'the command cannot do what it was asked' },
  NOT_FOUND: { stage: 'infra', action: 'halt', summary: 'a topic, replay or event the command names does not exist' },
  ROUTING_RULES_INVALID: { stage: 'infra', action: 'halt', summary: 'lead routing rules are invalid' },
  INTERNAL: { stage: 'infra', action: 'retry', summary: 'unexpected internal error' },
} as const satisfies Record<string, PolicyRow>;

export type RelayErrorCode = keyof typeof FAILURE_POLICY;

export interface RelayErrorOptions {
  /** Machine-readable context: a field path, an HTTP status, Klaviyo's `errors[]`. Never secrets. */
  readonly detail?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
  /** Overrides the stage of the policy row, for codes that can happen in more than one stage. */
  readonly stage?: Stage;
  /** For KLAVIYO_RATE_LIMITED: how long Klaviyo asked us to wait. */
  readonly retryAfterMs?: number;
}

export class RelayError extends Error {
  override readonly name = 'RelayError';
  readonly code: RelayErrorCode;
  readonly detail: Readonly<Record<string, unknown>>;
  readonly stage: Stage | 'infra';
  readonly retryAfterMs: number | undefined;

  constructor(code: RelayErrorCode, message: string, options: RelayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.detail = Object.freeze({ ...options.detail });
    this.stage = options.stage ?? FAILURE_POLICY[code].stage;
    this.retryAfterMs = options.retryAfterMs;
  }

  get action(): Action {
    return FAILURE_POLICY[this.code].action;
  }

  /** True for a retry that may mean Klaviyo itself is failing (what the circuit breaker counts). */
  get signalsOutage(): boolean {
    const row: PolicyRow = FAILURE_POLICY[this.code];
    return row.action === 'retry' && row.outage !== false;
  }

  /** True when trying the same thing again later may succeed (kafkajs calls this `retriable`). */
  get retriable(): boolean {
    return this.action === 'retry';
  }
}

export function isRelayError(value: unknown): value is RelayError {
  return value instanceof RelayError;
}

export interface Classification {
  readonly code: RelayErrorCode;
  readonly action: Action;
  readonly stage: Stage | 'infra';
  readonly message: string;
  readonly retryAfterMs: number | undefined;
}

/**
 * Total: any value (including non-Errors and objects with throwing getters) yields a classification.
 * Unknown errors are INTERNAL and retried, never dead-lettered: a bug of ours must not eat records.
 */
export function classify(error: unknown): Classification {
  if (isRelayError(error)) {
    return {
      code: error.code,
      action: error.action,
      stage: error.stage,
      message: error.message,
      retryAfterMs: error.retryAfterMs,
    };
  }
  return {
    code: 'INTERNAL',
    action: FAILURE_POLICY.INTERNAL.action,
    stage: 'infra',
    message: describeUnknown(error),
    retryAfterMs: undefined,
  };
}

function describeUnknown(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`;
    return `non-error thrown: ${String(error)}`;
  } catch {
    return 'non-error thrown (not printable)';
  }
}
