/** Loads the configuration for a command, or ends it with exit code 2 and every problem listed. */
import { formatConfigProblems, loadConfig, type Config, type Environment, type LoadOptions } from '../config/config.ts';
import { CliExit, EXIT } from './exit-codes.ts';

export function requireConfig(env: Environment = process.env, options: LoadOptions = {}): Config {
  const result = loadConfig(env, options);
  if (!result.ok) throw new CliExit(EXIT.USAGE, formatConfigProblems(result.problems));
  return result.config;
}
