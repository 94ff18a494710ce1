/** `klaviyo-relay config check`: validates the configuration and prints it, secrets redacted. */
import type { Command } from 'commander';
import { secretsOf } from '../config/config.ts';
import { redact } from '../observability/redact.ts';
import { requireConfig } from './config-context.ts';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('inspect the configuration');
  config
    .command('check')
    .description('parse the environment (and RELAY_CONFIG_FILE), report every problem, print the result redacted')
    .option('--json', 'print the parsed configuration as JSON')
    .action((options: { json?: boolean }) => {
      // What `run` would accept: the service's rules too (KLAVIYO_API_KEY where the role delivers).
      const parsed = requireConfig(process.env, { service: true });
      const { leadRouting, freshness, ...relay } = parsed.relay;
      const shown = redact(
        {
          ...parsed,
          relay: {
            ...relay,
            freshness: Object.fromEntries(freshness),
            leadRouting: leadRouting === undefined ? undefined : { rules: leadRouting.rules.length },
          },
        },
        { secrets: secretsOf(parsed) },
      );
      process.stdout.write(
        options.json === true
          ? `${JSON.stringify(shown, null, 2)}\n`
          : `configuration OK\n${JSON.stringify(shown, null, 2)}\n`,
      );
    });
}
