/** `klaviyo-relay config check`: validates the configuration and prints it, secrets redacted. */
import type { Command } from 'commander';
import { redact } from '../observability/redact.ts';
import { requireConfig } from './config-context.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('parse the environment (and RELAY_CONFIG_FILE), report every problem, print the result redacted')
    .option('--json', 'print the parsed configuration as JSON')
    .action((options: { json?: boolean }) => {
      const parsed = requireConfig();
      const secrets = [parsed.klaviyo.apiKey, parsed.kafka.sasl?.password, parsed.registry.auth?.password].filter(
        (secret): secret is string => secret !== undefined,
      );
      const shown = redact(parsed, { secrets });
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(shown, null, 2)}\n`
          : `configuration OK\n${JSON.stringify(shown, null, 2)}\n`,
      );
    });
}
