/** The CLI's exit codes, the same for every command: scripts and CI gates rely on them. */
export const EXIT = {
  /** Done; for checks: compatible, valid. */
  OK: 0,
  /** The command ran and failed: a breaking change, lint errors, a failed delivery, a runtime error. */
  FAILURE: 1,
  /** The command could not run as asked: bad arguments, bad configuration, an endpoint it cannot reach. */
  USAGE: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown by commands to end with a given exit code and message, without a stack trace. */
export class CliExit extends Error {
  override readonly name = 'CliExit';
  readonly exitCode: ExitCode;
  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}
