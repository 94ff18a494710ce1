/**
 * Config is parsed once, at the edge, into a frozen typed object (DESIGN.md convention 4). Sources, in
 * increasing precedence: defaults, an optional file named by RELAY_CONFIG_FILE (JSON or YAML, keyed by
 * the same variable names), the environment. Every problem is reported at once, naming its variable.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { RelayError } from '../errors.ts';
import { urgencyRules, type UrgencyRules } from '../klaviyo/urgency.ts';
import { parseFreshnessWindows, type FreshnessWindows } from '../projection/freshness.ts';
import { parseDocument } from '../projection/routing/load.ts';
import { parseRoutingRules, type RoutingRules } from '../projection/routing/rules.ts';
import { envSchema, type ParsedEnv } from './env-schema.ts';

export type Role = ParsedEnv['RELAY_ROLE'];
export type ProfileIdentifier = ParsedEnv['RELAY_PROFILE_IDENTIFIERS'][number];

export interface RateWindow {
  /** Requests allowed per second (Klaviyo's burst window). */
  readonly perSecond: number;
  /** Requests allowed per minute (Klaviyo's steady window). */
  readonly perMinute: number;
}

export interface Config {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly ssl: boolean;
    readonly sasl?: {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
      readonly username: string;
      readonly password: string;
    };
    readonly connectionTimeoutMs: number;
    readonly sessionTimeoutMs: number;
  };
  readonly registry: {
    readonly url: string;
    readonly auth?: { readonly username: string; readonly password: string };
  };
  readonly klaviyo: {
    /** Absent only where the process does not deliver (role projector, CLI tools). */
    readonly apiKey: string | undefined;
    readonly baseUrl: string;
    readonly revision: string;
    readonly timeoutMs: number;
    readonly maxConnections: number;
    readonly rateLimits: {
      readonly events: RateWindow;
      readonly bulk: RateWindow;
      readonly profiles: RateWindow;
    };
  };
  readonly relay: {
    readonly role: Role;
    readonly projectorGroup: string;
    readonly dispatcherGroup: string;
    readonly outboundTopic: string;
    /** Empty: the default domain topics. */
    readonly sourceTopics: readonly string[];
    readonly projectorTransactions: boolean;
    readonly projectorConcurrency: number;
    readonly projectorMaxRecordsPerTransaction: number;
    readonly projectorMaxTransactionBytes: number;
    readonly auditTopic: string;
    readonly topicPartitions: number;
    readonly topicReplication: number;
    readonly resetLinkHosts: readonly string[];
    readonly leadRoutingFile: string | undefined;
    /** The rules of RELAY_LEAD_ROUTING_FILE, read and validated when the configuration is loaded. */
    readonly leadRouting: RoutingRules | undefined;
    readonly profileIdentifiers: readonly ProfileIdentifier[];
    /** RELAY_FRESHNESS_WINDOWS as written (`Reset Password=1h`); `freshness` is what it means. */
    readonly freshnessWindows: string;
    readonly freshness: FreshnessWindows;
    readonly bulkBacklogThreshold: number;
    readonly bulkAgeThresholdMs: number;
    /** Metrics that may take the bulk lane (anything backfilled may too). */
    readonly bulkEligibleMetrics: readonly string[];
    /** Metric → urgency class (the guide's defaults with the operator's overrides) and the promotion rule. */
    readonly urgency: UrgencyRules;
    /** Fraction of each events/profiles rate window kept for urgent requests. */
    readonly urgentHeadroom: number;
    readonly maxReplays: number;
    readonly shutdownTimeoutMs: number;
  };
  /** The dispatcher's retry, commit and backlog settings (RELAY_RETRY_*, RELAY_COMMIT_INTERVAL_MS…). */
  readonly delivery: {
    readonly handOffAttempts: number;
    readonly handOffAfterMs: number;
    readonly retryMaxAgeMs: number;
    readonly retryBackoffCapMs: number;
    readonly commitIntervalMs: number;
    readonly backlogDegradedAgeMs: number;
    readonly maxUnsettledPerPartition: number;
  };
  readonly http: { readonly host: string; readonly port: number };
  /** `klaviyo-relay console`: the token that allows changes (a fresh one per start when unset). */
  readonly console: { readonly token: string | undefined };
  readonly log: { readonly level: ParsedEnv['LOG_LEVEL']; readonly maskPii: boolean };
}

/** One problem with the configuration, named by the variable that causes it. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

export type ConfigResult =
  { readonly ok: true; readonly config: Config } | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /**
   * For the service (`run`, `config check`): also the rules that depend on the role, such as
   * KLAVIYO_API_KEY being required where the process delivers. CLI tools that never call Klaviyo omit it.
   */
  readonly service?: boolean;
}

/** Parses the environment (and the files it names) into a Config, or every problem found. Never throws. */
export function loadConfig(env: Environment = process.env, options: LoadOptions = {}): ConfigResult {
  const fromFile = readConfigFile(env.RELAY_CONFIG_FILE);
  if (!fromFile.ok) return fromFile;
  const merged: Record<string, string> = { ...fromFile.values };
  for (const [key, value] of Object.entries(env)) {
    // An empty variable counts as set (`KAFKA_BROKERS=` is a mistake to report, not a default to apply).
    if (value !== undefined && key in envSchema.shape) merged[key] = value;
  }
  const parsed = envSchema.safeParse(merged);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(config)'),
        message: issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
      })),
    };
  }
  const problems = crossFieldProblems(parsed.data);
  if (options.service === true) problems.push(...serviceProblems(parsed.data));
  const freshness = parsedSetting('RELAY_FRESHNESS_WINDOWS', problems, () =>
    parseFreshnessWindows(parsed.data.RELAY_FRESHNESS_WINDOWS),
  );
  const routingFile = parsed.data.RELAY_LEAD_ROUTING_FILE;
  const leadRouting =
    routingFile === undefined
      ? undefined
      : parsedSetting('RELAY_LEAD_ROUTING_FILE', problems, () => readRoutingRules(routingFile));
  if (problems.length > 0 || freshness === undefined) return { ok: false, problems };
  return { ok: true, config: deepFreeze(toConfig(parsed.data, freshness, leadRouting)) };
}

/** Every secret a Config holds, for the redactor: the one list every command and the service use. */
export function secretsOf(config: Config): string[] {
  const secrets = [
    config.klaviyo.apiKey,
    config.kafka.sasl?.password,
    config.registry.auth?.password,
    urlPassword(config.registry.url),
    urlPassword(config.klaviyo.baseUrl),
  ];
  return [...new Set(secrets.filter((secret): secret is string => secret !== undefined && secret !== ''))];
}

function urlPassword(url: string): string | undefined {
  try {
    const password = new URL(url).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/** Rules that hold for the service only: they depend on the role it runs. */
function serviceProblems(env: ParsedEnv): ConfigProblem[] {
  if (env.RELAY_ROLE !== 'projector' && env.KLAVIYO_API_KEY === undefined) {
    return [
      {
        variable: 'KLAVIYO_API_KEY',
        message: `is required when the role includes the dispatcher (role ${env.RELAY_ROLE})`,
      },
    ];
  }
  return [];
}

/** Runs a parser that throws RelayError naming the problem; records the problem under `variable`. */
function parsedSetting<T>(variable: string, problems: ConfigProblem[], parse: () => T): T | undefined {
  try {
    return parse();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    problems.push({
      variable,
      message: message.startsWith(`${variable}: `) ? message.slice(variable.length + 2) : message,
    });
    return undefined;
  }
}

function readRoutingRules(path: string): RoutingRules {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RelayError(
      'ROUTING_RULES_INVALID',
      `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseRoutingRules(parseDocument(text, path), path);
}

export function formatConfigProblems(problems: readonly ConfigProblem[]): string {
  const lines = problems.map((problem) => `  - ${problem.variable}: ${problem.message}`);
  return [`Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`, ...lines].join(
    '\n',
  );
}

function crossFieldProblems(env: ParsedEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const sasl = [env.KAFKA_SASL_MECHANISM, env.KAFKA_SASL_USERNAME, env.KAFKA_SASL_PASSWORD];
  if (sasl.some((part) => part !== undefined) && sasl.some((part) => part === undefined)) {
    problems.push({
      variable: 'KAFKA_SASL_MECHANISM',
      message: 'KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD go together',
    });
  }
  if ((env.SCHEMA_REGISTRY_USERNAME === undefined) !== (env.SCHEMA_REGISTRY_PASSWORD === undefined)) {
    problems.push({
      variable: 'SCHEMA_REGISTRY_USERNAME',
      message: 'SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD go together',
    });
  }
  return problems;
}

function toConfig(env: ParsedEnv, freshness: FreshnessWindows, leadRouting: RoutingRules | undefined): Config {
  const sasl =
    env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME !== undefined && env.KAFKA_SASL_PASSWORD !== undefined
      ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
      : undefined;
  const registryAuth =
    env.SCHEMA_REGISTRY_USERNAME !== undefined && env.SCHEMA_REGISTRY_PASSWORD !== undefined
      ? { username: env.SCHEMA_REGISTRY_USERNAME, password: env.SCHEMA_REGISTRY_PASSWORD }
      : undefined;
  return {
    kafka: {
      brokers: env.KAFKA_BROKERS,
      clientId: env.KAFKA_CLIENT_ID,
      ssl: env.KAFKA_SSL,
      ...(sasl ? { sasl } : {}),
      connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    },
    registry: { url: env.SCHEMA_REGISTRY_URL.replace(/\/+$/, ''), ...(registryAuth ? { auth: registryAuth } : {}) },
    klaviyo: {
      apiKey: env.KLAVIYO_API_KEY,
      baseUrl: env.KLAVIYO_BASE_URL.replace(/\/+$/, ''),
      revision: env.KLAVIYO_REVISION,
      timeoutMs: env.KLAVIYO_TIMEOUT_MS,
      maxConnections: env.KLAVIYO_MAX_CONNECTIONS,
      rateLimits: {
        events: { perSecond: env.KLAVIYO_RATE_EVENTS_BURST, perMinute: env.KLAVIYO_RATE_EVENTS_STEADY },
        bulk: { perSecond: env.KLAVIYO_RATE_BULK_BURST, perMinute: env.KLAVIYO_RATE_BULK_STEADY },
        profiles: { perSecond: env.KLAVIYO_RATE_PROFILES_BURST, perMinute: env.KLAVIYO_RATE_PROFILES_STEADY },
      },
    },
    relay: {
      role: env.RELAY_ROLE,
      projectorGroup: env.RELAY_PROJECTOR_GROUP,
      dispatcherGroup: env.RELAY_DISPATCHER_GROUP,
      outboundTopic: env.RELAY_OUTBOUND_TOPIC,
      sourceTopics: env.RELAY_SOURCE_TOPICS,
      projectorTransactions: env.RELAY_PROJECTOR_TRANSACTIONS,
      projectorConcurrency: env.RELAY_PROJECTOR_CONCURRENCY,
      projectorMaxRecordsPerTransaction: env.RELAY_PROJECTOR_MAX_RECORDS_PER_TRANSACTION,
      projectorMaxTransactionBytes: env.RELAY_PROJECTOR_MAX_TRANSACTION_BYTES,
      auditTopic: env.RELAY_AUDIT_TOPIC,
      topicPartitions: env.RELAY_TOPIC_PARTITIONS,
      topicReplication: env.RELAY_TOPIC_REPLICATION,
      resetLinkHosts: env.RELAY_RESET_LINK_HOSTS,
      leadRoutingFile: env.RELAY_LEAD_ROUTING_FILE,
      leadRouting,
      profileIdentifiers: env.RELAY_PROFILE_IDENTIFIERS,
      freshnessWindows: env.RELAY_FRESHNESS_WINDOWS,
      freshness,
      bulkBacklogThreshold: env.RELAY_BULK_BACKLOG_THRESHOLD,
      bulkAgeThresholdMs: env.RELAY_BULK_AGE_THRESHOLD_MS,
      bulkEligibleMetrics: env.RELAY_BULK_ELIGIBLE_METRICS,
      urgency: urgencyRules(env.RELAY_URGENCY_CLASSES, env.RELAY_URGENCY_PROMOTE_AFTER_MS),
      urgentHeadroom: env.RELAY_URGENT_HEADROOM_PERCENT / 100,
      maxReplays: env.RELAY_MAX_REPLAYS,
      shutdownTimeoutMs: env.RELAY_SHUTDOWN_TIMEOUT_MS,
    },
    delivery: {
      handOffAttempts: env.RELAY_RETRY_HANDOFF_ATTEMPTS,
      handOffAfterMs: env.RELAY_RETRY_HANDOFF_AFTER_MS,
      retryMaxAgeMs: env.RELAY_RETRY_MAX_AGE_MS,
      retryBackoffCapMs: env.RELAY_RETRY_BACKOFF_CAP_MS,
      commitIntervalMs: env.RELAY_COMMIT_INTERVAL_MS,
      backlogDegradedAgeMs: env.RELAY_BACKLOG_DEGRADED_AGE_MS,
      maxUnsettledPerPartition: env.RELAY_DISPATCHER_MAX_UNSETTLED,
    },
    http: { host: env.RELAY_HTTP_HOST, port: env.RELAY_HTTP_PORT },
    console: { token: env.RELAY_CONSOLE_TOKEN },
    log: { level: env.LOG_LEVEL, maskPii: env.LOG_MASK_PII },
  };
}

type FileResult =
  | { readonly ok: true; readonly values: Record<string, string> }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

function readConfigFile(path: string | undefined): FileResult {
  if (path === undefined || path === '') return { ok: true, values: {} };
  let document: unknown;
  try {
    const text = readFileSync(path, 'utf8');
    document = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ variable: 'RELAY_CONFIG_FILE', message: `cannot read ${path}: ${reason}` }] };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return {
      ok: false,
      problems: [{ variable: 'RELAY_CONFIG_FILE', message: `${path} must hold an object keyed by variable names` }],
    };
  }
  const values: Record<string, string> = {};
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(document)) {
    if (!(key in envSchema.shape)) problems.push({ variable: key, message: `unknown setting in ${path}` });
    else if (Array.isArray(value)) values[key] = value.map(String).join(',');
    else if (value !== null && value !== undefined) values[key] = String(value);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
