/**
 * The relay's logger: pino JSON on stdout (or a given destination), with every record scrubbed by
 * `redact()` before it is written. Only adapters log (DESIGN.md convention 5); pure code returns data.
 */
import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { redact, type RedactOptions } from './redact.ts';

export type { Logger } from 'pino';

export interface LoggerOptions extends RedactOptions {
  readonly level?: LevelWithSilent;
  readonly name?: string;
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const redactOptions: RedactOptions = {
    ...(options.secrets ? { secrets: options.secrets } : {}),
    ...(options.maskPii !== undefined ? { maskPii: options.maskPii } : {}),
  };
  return pino(
    {
      name: options.name ?? 'klaviyo-relay',
      level: options.level ?? 'info',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        // Scrub the whole record (bindings are scrubbed where they are created, below).
        log: (record) => redact(record, redactOptions),
        bindings: (bindings) => redact(bindings, redactOptions),
      },
      hooks: {
        // The message string can carry secrets too (an error message quoting a header, a URL with a token).
        logMethod(args, method) {
          const scrubbed = args.map((arg) => (typeof arg === 'string' ? redact(arg, redactOptions) : arg));
          method.apply(this, scrubbed as Parameters<typeof method>);
        },
      },
      serializers: { err: (error: unknown) => redact(error, redactOptions) },
    },
    options.destination,
  );
}
