/**
 * The `klaviyo-relay` command line. Exit codes: 0 ok, 1 failure, 2 usage or configuration error (README's
 * table); a failure is one line, its stack only with --debug or LOG_LEVEL=debug (failure.ts).
 * Every command lives in its own file and is registered in commands.ts.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands.ts';
import { CliExit, EXIT, type ExitCode } from './exit-codes.ts';
import { debugRequested, describeFailure } from './failure.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('klaviyo-relay')
    .description('Kafka domain events → Klaviyo transactional events, exactly once')
    .version(packageJson.version)
    .showHelpAfterError('(run with --help for usage)')
    .option('--debug', 'print stack traces of failures (also with LOG_LEVEL=debug)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  // Subcommands inherit exitOverride only when set before they are created, so set it on all of them.
  for (const command of allCommands(program)) command.exitOverride();
  return program;
}

export async function main(argv: readonly string[] = process.argv): Promise<ExitCode> {
  try {
    await buildProgram().parseAsync([...argv]);
    return EXIT.OK;
  } catch (error) {
    return exitCodeFor(error, debugRequested(argv, process.env));
  }
}

function exitCodeFor(error: unknown, debug: boolean): ExitCode {
  if (error instanceof CliExit) {
    if (error.message !== '') process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    // --help and --version end through here with code 0; commander already printed any usage error.
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  const failure = describeFailure(error, { debug });
  process.stderr.write(`${failure.text}\n`);
  return failure.exitCode;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

if (import.meta.main) {
  // Long-running commands (run, sandbox) keep the event loop alive; short ones end with their code.
  process.exitCode = await main();
}
