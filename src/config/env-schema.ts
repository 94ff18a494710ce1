/**
 * Every setting of the relay, keyed by the environment variable that sets it. Keying the zod schema by
 * variable name means every validation issue already names the variable the operator has to fix.
 * `.env.example` documents each of them; a test keeps the two in step.
 */
import { z } from 'zod';
import { isUrgencyClass, type UrgencyClass } from '../klaviyo/urgency.ts';

const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

const nonEmptyCsv = csv.refine((parts) => parts.length > 0, { message: 'must list at least one value' });

const hostPort = z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'must be host:port');

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const role = z.enum(['all', 'projector', 'dispatcher']);

/** `Metric=class,Metric=class` (urgent, high, normal, low) into a map; every bad entry is reported. */
const urgencyOverrides = z.string().transform((value, context) => {
  const overrides: Record<string, UrgencyClass> = {};
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)) {
    const match = /^(.+?)\s*=\s*(\S+)$/.exec(entry);
    if (!match || !isUrgencyClass(match[2]!)) {
      context.addIssue({ code: 'custom', message: `"${entry}" must be Metric=urgent|high|normal|low` });
      continue;
    }
    overrides[match[1]!] = match[2];
  }
  return overrides;
});

export const PROFILE_IDENTIFIERS = ['external_id', 'email', 'phone_number'] as const;

export const envSchema = z.object({
  // Kafka
  KAFKA_BROKERS: nonEmptyCsv.pipe(z.array(hostPort)),
  KAFKA_CLIENT_ID: z.string().min(1).default('klaviyo-relay'),
  KAFKA_SSL: bool.default(false),
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_CONNECTION_TIMEOUT_MS: int(100, 120_000).default(3_000),
  /** How long the group waits for a silent member (a killed process) before moving its partitions. */
  KAFKA_SESSION_TIMEOUT_MS: int(6_000, 300_000).default(30_000),
  // Schema registry
  SCHEMA_REGISTRY_URL: httpUrl,
  SCHEMA_REGISTRY_USERNAME: z.string().optional(),
  SCHEMA_REGISTRY_PASSWORD: z.string().optional(),
  // Klaviyo
  /**
   * A Klaviyo private key: `pk_` then printable ASCII only. A key pasted with a trailing newline, or with a
   * character outside Latin-1 (a typographic quote, €), is one undici refuses to put in a header at all,
   * so every request would fail locally. The message never quotes the value.
   */
  KLAVIYO_API_KEY: z
    .string()
    .regex(/^pk_[\x21-\x7e]+$/, {
      message:
        'must be a Klaviyo private API key: "pk_" then the key, with no spaces, tabs, line breaks or characters outside printable ASCII (look for a trailing newline)',
    })
    .optional(),
  KLAVIYO_BASE_URL: httpUrl.default('https://a.klaviyo.com'),
  KLAVIYO_REVISION: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/, 'must be a Klaviyo revision such as 2026-07-15')
    .default('2026-07-15'),
  KLAVIYO_TIMEOUT_MS: int(100, 300_000).default(10_000),
  KLAVIYO_MAX_CONNECTIONS: int(1, 512).default(32),
  KLAVIYO_RATE_EVENTS_BURST: int(1, 100_000).default(350),
  KLAVIYO_RATE_EVENTS_STEADY: int(1, 1_000_000).default(3_500),
  KLAVIYO_RATE_BULK_BURST: int(1, 100_000).default(10),
  KLAVIYO_RATE_BULK_STEADY: int(1, 1_000_000).default(150),
  KLAVIYO_RATE_PROFILES_BURST: int(1, 100_000).default(75),
  KLAVIYO_RATE_PROFILES_STEADY: int(1, 1_000_000).default(750),
  // Service
  RELAY_ROLE: role.default('all'),
  RELAY_PROJECTOR_GROUP: z.string().min(1).default('relay-projector'),
  RELAY_DISPATCHER_GROUP: z.string().min(1).default('relay-dispatcher'),
  RELAY_OUTBOUND_TOPIC: z.string().min(1).default('klaviyo.requests'),
  /** Domain topics the projector consumes; empty means the default topics of src/domain/topics.ts. */
  RELAY_SOURCE_TOPICS: csv.default([]),
  /** false falls back to idempotent produce + commit after ack (at-least-once) in the projector. */
  RELAY_PROJECTOR_TRANSACTIONS: bool.default(true),
  /** Source partitions the projector works on at once; more keeps the CPU busy while transactions commit. */
  RELAY_PROJECTOR_CONCURRENCY: int(1, 1_000).default(6),
  /** Records per projector transaction: larger amortises each commit's round trips, smaller commits sooner. */
  RELAY_PROJECTOR_MAX_RECORDS_PER_TRANSACTION: int(1, 100_000).default(500),
  /** A transaction ends once its messages reach this many bytes; keep it under the topics' max.message.bytes. */
  RELAY_PROJECTOR_MAX_TRANSACTION_BYTES: int(1_024, 1_073_741_824).default(524_288),
  RELAY_AUDIT_TOPIC: z.string().min(1).default('klaviyo-relay.audit'),
  RELAY_TOPIC_PARTITIONS: int(1, 10_000).default(6),
  /** -1 takes the broker's default.replication.factor (KIP-464). */
  RELAY_TOPIC_REPLICATION: int(-1, 32).default(-1),
  RELAY_RESET_LINK_HOSTS: csv.default([]),
  RELAY_LEAD_ROUTING_FILE: z.string().min(1).optional(),
  RELAY_PROFILE_IDENTIFIERS: nonEmptyCsv.pipe(z.array(z.enum(PROFILE_IDENTIFIERS))).default([...PROFILE_IDENTIFIERS]),
  /** Per-metric freshness windows, e.g. `Reset Password=1h,Shipping Update=2d`. */
  RELAY_FRESHNESS_WINDOWS: z.string().default('Reset Password=1h'),
  RELAY_BULK_BACKLOG_THRESHOLD: int(1, 100_000_000).default(5_000),
  RELAY_BULK_AGE_THRESHOLD_MS: int(1, 86_400_000).default(60_000),
  /** Metrics that may go by Bulk Create Events (besides anything backfilled); transactional ones opt in here. */
  RELAY_BULK_ELIGIBLE_METRICS: csv.default(['Ordered Product']),
  /** Overrides of the guide's urgency classes, e.g. `Shipping Update=high,Became Lead=low`. */
  RELAY_URGENCY_CLASSES: urgencyOverrides.default({}),
  /** The no-starvation rule: a waiting request rises one urgency class per this many ms (up to high). */
  RELAY_URGENCY_PROMOTE_AFTER_MS: int(100, 3_600_000).default(30_000),
  /** Share of each Create Event and profile rate window kept for urgent requests, in percent. */
  RELAY_URGENT_HEADROOM_PERCENT: z.coerce.number().min(0).max(50).default(1),
  RELAY_MAX_REPLAYS: int(1, 100).default(3),
  // Delivery that never stalls (RELIABILITY.md): a request failing transiently leaves the head of its
  // outbound partition after this many attempts or this long, whichever comes first, for the retry topic.
  RELAY_RETRY_HANDOFF_ATTEMPTS: int(1, 1_000).default(3),
  RELAY_RETRY_HANDOFF_AFTER_MS: int(100, 3_600_000).default(5_000),
  /** A request still failing this long after its first failure is dead-lettered (DELIVERY_EXPIRED). */
  RELAY_RETRY_MAX_AGE_MS: int(1_000, 30 * 86_400_000).default(86_400_000),
  /** Longest wait between two attempts of one request (full-jitter backoff from 200 ms, doubling). */
  RELAY_RETRY_BACKOFF_CAP_MS: int(1_000, 3_600_000).default(60_000),
  /** The dispatcher commits what has settled at least this often: a crash re-sends about this much. */
  RELAY_COMMIT_INTERVAL_MS: int(50, 1_000).default(1_000),
  /** /readyz reports `degraded` once a partition's oldest unsettled request is older than this. */
  RELAY_BACKLOG_DEGRADED_AGE_MS: int(1_000, 86_400_000).default(300_000),
  /** Requests the dispatcher holds per partition before it stops fetching more of it. */
  RELAY_DISPATCHER_MAX_UNSETTLED: int(100, 1_000_000).default(10_000),
  RELAY_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  RELAY_HTTP_PORT: int(0, 65_535).default(9464),
  RELAY_SHUTDOWN_TIMEOUT_MS: int(100, 600_000).default(15_000),
  /** The dead-letter console's token for changes (klaviyo-relay console); unset: a fresh one per start. */
  RELAY_CONSOLE_TOKEN: z.string().min(16, 'use at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_MASK_PII: bool.default(false),
});

export type EnvInput = z.input<typeof envSchema>;
export type ParsedEnv = z.output<typeof envSchema>;
export const ENV_VARIABLES = Object.keys(envSchema.shape) as readonly (keyof typeof envSchema.shape)[];
