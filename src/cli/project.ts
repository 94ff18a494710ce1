/**
 * `klaviyo-relay project [file|-]`: "what would we send Klaviyo for this event?". Runs exactly the relay's
 * path: the JSON parser `produce` uses (codec/event-json: one document, an array, or JSON lines, checked
 * against the Avro schema), the relay's event validator (what the projector would dead-letter at validate,
 * with its reason), then the projection; prints the Klaviyo requests (method, path, body) as JSON.
 * `--check` validates every body against Klaviyo's OpenAPI contract in closed mode and exits 1 on a
 * violation. Needs no Kafka or registry: the settings it uses come from options, else the environment,
 * else defaults.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parseEachEventDocument, type ParsedDocument } from '../codec/event-json.ts';
import { envSchema } from '../config/env-schema.ts';
import type { Environment } from '../config/config.ts';
import { createEventValidator, type EventValidator } from '../domain/validation.ts';
import { isRelayError } from '../errors.ts';
import { formatViolations, validateRequest, type ContractViolation } from '../klaviyo/contract/validate.ts';
import { OPERATIONS } from '../klaviyo/contract/operations.ts';
import type { KlaviyoRequest } from '../klaviyo/request.ts';
import { createProjectionContext, type ProjectionContextAt } from '../projection/context.ts';
import { project } from '../projection/project.ts';
import { loadRoutingRules } from '../projection/routing/load.ts';
import { redact } from '../observability/redact.ts';
import { CliExit, EXIT } from './exit-codes.ts';

interface ProjectOptions {
  readonly check?: boolean;
  readonly now?: string;
  readonly rules?: string;
  readonly identifiers?: string;
  readonly freshness?: string;
  readonly resetLinkHosts?: string;
}

export function registerProject(program: Command): void {
  program
    .command('project')
    .description('print the Klaviyo requests the relay would send for domain events (JSON, array or JSON lines)')
    .argument('[file]', 'file of domain events in the { type, data } shape, or - for stdin', '-')
    .option('--check', "validate every request against Klaviyo's OpenAPI contract (exit 1 on violations)")
    .option('--now <iso>', 'pin the clock used for freshness and time limits (default: the current time)')
    .option('--rules <file>', 'lead routing rules file (default: RELAY_LEAD_ROUTING_FILE)')
    .option('--identifiers <list>', 'profile identifiers to send (default: RELAY_PROFILE_IDENTIFIERS)')
    .option('--freshness <windows>', 'freshness windows, e.g. "Reset Password=1h" (default: RELAY_FRESHNESS_WINDOWS)')
    .option('--reset-link-hosts <list>', 'hosts reset links may point at (default: RELAY_RESET_LINK_HOSTS)')
    .action(async (file: string, options: ProjectOptions) => {
      const text = await readInput(file);
      const contextAt = await buildContext(options, process.env);
      const now = parseNow(options.now);
      const validator = buildValidator(options, process.env, now);
      const report = projectText(text, contextAt(now), options.check === true, validator);
      // Printed like `dlq show`: a reset link is a credential, and terminal output ends up in tickets and CI logs.
      process.stdout.write(`${JSON.stringify(redact(report.results), null, 2)}\n`);
      if (report.failures > 0) {
        throw new CliExit(
          EXIT.FAILURE,
          `${report.failures} of ${report.results.length} event(s) failed; see "error" and "violations" above`,
        );
      }
    });
}

/** What one input event became: its requests, or why it has none. */
export type ProjectedEvent =
  | {
      readonly index: number;
      readonly eventType: string;
      readonly requests: readonly PrintedRequest[];
      readonly violations?: readonly string[];
    }
  | {
      readonly index: number;
      readonly eventType: string;
      readonly error: { readonly code: string; readonly message: string };
    };

export interface PrintedRequest {
  readonly method: string;
  readonly path: string;
  readonly requestId: string;
  readonly profileKey: string;
  readonly realtime?: boolean;
  /** Update Profile only: how the dispatcher finds Klaviyo's profile id when the event did not carry it. */
  readonly lookup?: { readonly external_id?: string; readonly email?: string };
  readonly body: KlaviyoRequest['body'];
}

/**
 * The pure core of the command: text in, the printed results and the number of failed events out. Each
 * event goes the relay's way: parsed, validated by `validator` (the relay's), projected.
 */
export function projectText(
  text: string,
  ctx: ReturnType<ProjectionContextAt>,
  check: boolean,
  validator: EventValidator,
): { results: ProjectedEvent[]; failures: number } {
  const results = parseEvents(text).map((parsed, index): ProjectedEvent => {
    if (!parsed.ok)
      return { index, eventType: parsed.eventType, error: { code: 'VALIDATION_FAILED', message: parsed.message } };
    const validated = validator.validate(parsed.event);
    if (!validated.ok)
      return {
        index,
        eventType: parsed.event.type,
        error: { code: validated.error.code, message: `the relay would dead-letter it: ${validated.error.message}` },
      };
    const event = validated.event;
    const result = project(event, ctx);
    if (!result.ok)
      return { index, eventType: event.type, error: { code: result.error.code, message: result.error.message } };
    const requests = result.requests.map(printable);
    if (!check) return { index, eventType: event.type, requests };
    const violations = result.requests.flatMap((request) =>
      contractViolations(request).map((violation) => `${request.requestId}: ${formatViolations([violation])}`),
    );
    return { index, eventType: event.type, requests, violations };
  });
  const failures = results.filter((result) => 'error' in result || (result.violations?.length ?? 0) > 0).length;
  return { results, failures };
}

function printable(request: KlaviyoRequest): PrintedRequest {
  if (request.kind === 'create-event') {
    const operation = OPERATIONS.create_event;
    return {
      method: operation.method,
      path: operation.path,
      requestId: request.requestId,
      profileKey: request.profileKey,
      realtime: request.realtime,
      body: request.body,
    };
  }
  const operation = OPERATIONS.update_profile;
  return {
    method: operation.method,
    // The placeholder stays visible: the dispatcher resolves it by the lookup when Klaviyo's id is unknown.
    path: operation.path.replace('{id}', request.body.data.id),
    lookup: request.lookup,
    requestId: request.requestId,
    profileKey: request.profileKey,
    body: request.body,
  };
}

function contractViolations(request: KlaviyoRequest): readonly ContractViolation[] {
  const result = validateRequest(
    request.kind === 'create-event' ? 'create_event' : 'update_profile',
    { body: request.body },
    'closed',
  );
  return result.ok ? [] : result.errors;
}

/** One JSON document (an event or an array of events), or JSON lines: the parser `produce` uses. */
export function parseEvents(text: string): ParsedDocument[] {
  if (text.trim() === '') throw new CliExit(EXIT.USAGE, 'no input: expected domain events as JSON');
  const parsed = parseEachEventDocument(text);
  if (!parsed.ok) throw new CliExit(EXIT.USAGE, parsed.problems.join('\n'));
  return [...parsed.documents];
}

async function readInput(file: string): Promise<string> {
  try {
    if (file !== '-') return readFileSync(file, 'utf8');
    // Not readFileSync(0): on a non-blocking pipe it fails with EAGAIN before the writer has written.
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliExit(EXIT.USAGE, `cannot read ${file === '-' ? 'stdin' : file}: ${reason}`);
  }
}

function parseNow(now: string | undefined): number {
  if (now === undefined) return Date.now();
  const parsed = Date.parse(now);
  if (Number.isNaN(parsed)) throw new CliExit(EXIT.USAGE, `--now: ${JSON.stringify(now)} is not an ISO 8601 date-time`);
  return parsed;
}

/** The relay's validator, with the reset-link hosts of the option, else RELAY_RESET_LINK_HOSTS. */
function buildValidator(options: ProjectOptions, env: Environment, now: number): EventValidator {
  const hosts = envSchema.shape.RELAY_RESET_LINK_HOSTS.parse(options.resetLinkHosts ?? env.RELAY_RESET_LINK_HOSTS);
  return createEventValidator({ resetLinkHosts: hosts, now: () => now });
}

/** Settings from options, else the environment, else the same defaults as the service; Kafka not needed. */
async function buildContext(options: ProjectOptions, env: Environment): Promise<ProjectionContextAt> {
  const identifiers = envSchema.shape.RELAY_PROFILE_IDENTIFIERS.safeParse(
    options.identifiers ?? env.RELAY_PROFILE_IDENTIFIERS,
  );
  if (!identifiers.success) {
    throw new CliExit(
      EXIT.USAGE,
      `profile identifiers: ${identifiers.error.issues.map((issue) => issue.message).join('; ')}`,
    );
  }
  const freshness = envSchema.shape.RELAY_FRESHNESS_WINDOWS.parse(options.freshness ?? env.RELAY_FRESHNESS_WINDOWS);
  const rulesFile = options.rules ?? (env.RELAY_LEAD_ROUTING_FILE || undefined);
  try {
    const rules = rulesFile === undefined ? undefined : await loadRoutingRules(rulesFile);
    return createProjectionContext(
      { relay: { profileIdentifiers: identifiers.data, freshnessWindows: freshness } },
      rules,
    );
  } catch (error) {
    if (isRelayError(error)) throw new CliExit(EXIT.USAGE, error.message);
    throw error;
  }
}
