/**
 * What a person sees when a command fails: one line with the reason and the exit code of the README's
 * table, never a stack trace (that is for `--debug` or LOG_LEVEL=debug). Pure, so every kind of failure
 * is tested as a table; main.ts prints what it returns.
 */
import { isRelayError, type RelayErrorCode } from '../errors.ts';
import { redactText, type RedactOptions } from '../observability/redact.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** The command could not run as asked (exit 2): bad arguments or configuration, something it names is missing, an endpoint it cannot reach. */
const USAGE_CODES: ReadonlySet<RelayErrorCode> = new Set<RelayErrorCode>([
  'USAGE_INVALID',
  'NOT_FOUND',
  'CONFIG_INVALID',
  'ROUTING_RULES_INVALID',
  'REGISTRY_UNAVAILABLE',
  'KAFKA_UNAVAILABLE',
]);

/** kafkajs's names for "the broker cannot be reached", also when wrapped in its retry error. */
const KAFKA_UNREACHABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
]);

export interface Failure {
  readonly exitCode: ExitCode;
  /** One line, or with `debug` the line followed by the stack. */
  readonly text: string;
}

export function describeFailure(error: unknown, options: { readonly debug: boolean } & RedactOptions): Failure {
  const { exitCode, line } = classifyFailure(error);
  const stack = options.debug && error instanceof Error && error.stack !== undefined ? `\n${error.stack}` : '';
  return { exitCode, text: `klaviyo-relay: ${redactText(`${line}${stack}`, options)}` };
}

function classifyFailure(error: unknown): { exitCode: ExitCode; line: string } {
  if (isRelayError(error)) {
    return {
      exitCode: USAGE_CODES.has(error.code) ? EXIT.USAGE : EXIT.FAILURE,
      line: `${error.message} (${error.code})`,
    };
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return { exitCode: EXIT.USAGE, line: 'the input is nested too deeply to process' };
  }
  if (error instanceof Error) {
    const chain = causes(error);
    const unreachable = chain.find((cause) => KAFKA_UNREACHABLE.has(cause.name));
    if (unreachable !== undefined)
      return {
        exitCode: EXIT.USAGE,
        line: `Kafka cannot be reached: ${firstLine(unreachable.message)} (KAFKA_UNAVAILABLE)`,
      };
    return { exitCode: EXIT.FAILURE, line: `${firstLine(error.message) || error.name} (${error.name})` };
  }
  return { exitCode: EXIT.FAILURE, line: String(error) };
}

/** The error and what it wraps (`cause`, kafkajs's `originalError`), outermost first, bounded. */
function causes(error: Error): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && chain.length < 10) {
    chain.push(current);
    const wrapped = current as Error & { originalError?: unknown };
    current = wrapped.cause ?? wrapped.originalError;
  }
  return chain;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

/** Stack traces are for developers: `--debug` anywhere on the command line, or LOG_LEVEL debug/trace. */
export function debugRequested(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  return argv.includes('--debug') || env.LOG_LEVEL === 'debug' || env.LOG_LEVEL === 'trace';
}
