/** `klaviyo-relay sandbox --port 8787`: runs the Klaviyo sandbox until interrupted. */
import type { Command } from 'commander';
import { createSandbox } from '../sandbox/server.ts';
import { CliExit, EXIT } from './exit-codes.ts';

interface SandboxCliOptions {
  port: string;
  host: string;
  apiKey?: string[];
  eventsLimit?: string;
  bulkLimit?: string;
  profilesLimit?: string;
  competitor?: string[];
}

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('run the spec-validated Klaviyo stand-in (admin and inspection API under /__sandbox/)')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8787')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--api-key <key...>', 'only accept these API keys (default: any Klaviyo-API-Key)')
    .option('--events-limit <perSecond/perMinute>', 'Create Event limits, e.g. 350/3500 (default: from the spec)')
    .option('--bulk-limit <perSecond/perMinute>', 'Bulk Create Events limits, e.g. 10/150')
    .option('--profiles-limit <perSecond/perMinute>', 'profile endpoints limits, e.g. 75/750')
    .option(
      '--competitor <family=share...>',
      'another integration on the account spending a share of each steady window, e.g. events=0.5',
    )
    .action(async (options: SandboxCliOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new CliExit(EXIT.USAGE, `--port must be 0-65535, got ${options.port}`);
      }
      const limits = {
        ...parseLimit('events', options.eventsLimit),
        ...parseLimit('bulk', options.bulkLimit),
        ...parseLimit('profiles', options.profilesLimit),
      };
      const sandbox = await createSandbox({
        port,
        host: options.host,
        limits,
        competitor: parseCompetitor(options.competitor ?? []),
        ...(options.apiKey ? { apiKeys: options.apiKey } : {}),
      });
      process.stdout.write(`klaviyo sandbox listening on ${sandbox.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await sandbox.close();
    });
}

function parseLimit(family: 'events' | 'bulk' | 'profiles', value: string | undefined) {
  if (value === undefined) return {};
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
    throw new CliExit(EXIT.USAGE, `--${family}-limit must look like 350/3500 (per second/per minute), got ${value}`);
  }
  return { [family]: { perSecond: Number(match[1]), perMinute: Number(match[2]) } };
}

function parseCompetitor(values: readonly string[]): Partial<Record<'events' | 'bulk' | 'profiles', number>> {
  const shares: Partial<Record<'events' | 'bulk' | 'profiles', number>> = {};
  for (const value of values) {
    const match = /^(events|bulk|profiles)=(0(?:\.\d+)?)$/.exec(value);
    if (!match) {
      throw new CliExit(EXIT.USAGE, `--competitor must look like events=0.5 (a share in [0, 1)), got ${value}`);
    }
    shares[match[1] as 'events' | 'bulk' | 'profiles'] = Number(match[2]);
  }
  return shares;
}
