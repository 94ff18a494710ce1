/**
 * The `klaviyo-relay` command line. Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
 * Every command lives in its own file and is registered in commands.ts.
 */
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands.ts';
import { CliExit, EXIT, type ExitCode } from './exit-codes.ts';
import { redactText } from '../observability/redact.ts';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('klaviyo-relay')
    .description('Kafka domain events → Klaviyo transactional events, exactly once')
    .version(packageJson.version)
    .showHelpAfterError('(run with --help for usage)')
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
    return exitCodeFor(error);
  }
}

function exitCodeFor(error: unknown): ExitCode {
  if (error instanceof CliExit) {
    if (error.message !== '') process.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof CommanderError) {
    // --help and --version end through here with code 0; commander already printed any usage error.
    return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`klaviyo-relay: ${redactText(message)}\n`);
  return EXIT.FAILURE;
}

function allCommands(command: Command): Command[] {
  return command.commands.flatMap((child) => [child, ...allCommands(child)]);
}

if (import.meta.main) {
  // Long-running commands (run, sandbox) keep the event loop alive; short ones end with their code.
  process.exitCode = await main();
}
