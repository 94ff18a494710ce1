/**
 * `klaviyo-relay console [--port 8090] [--host 127.0.0.1]`: the dead-letter console in the browser
 * (src/console). Loopback by default; changes need the token printed here (or RELAY_CONSOLE_TOKEN) and are
 * audited like the CLI's, with the console as the actor.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { createSchemaReader } from '../dlq/schema-names.ts';
import { newToken } from '../console/guard.ts';
import { secretsOf } from '../config/config.ts';
import { createReplayJobs } from '../console/replay-state.ts';
import { startConsoleServer } from '../console/server.ts';
import { createLogger } from '../observability/logger.ts';
import { createKafka } from '../pipeline/kafka/client.ts';
import { requireConfig } from './config-context.ts';
import { CliExit, EXIT } from './exit-codes.ts';

interface ConsoleOptions {
  readonly port: string;
  readonly host: string;
  readonly metricsUrl?: string;
  readonly actor?: string;
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];

export function registerConsole(program: Command): void {
  program
    .command('console')
    .description('the dead-letter console in the browser: overview, records, replay, park, purge, audit, delivery')
    .option('--port <port>', 'port to listen on', '8090')
    .option(
      '--host <host>',
      'address to listen on (loopback by default: anyone who reaches it can read dead letters)',
      '127.0.0.1',
    )
    .option('--metrics-url <url>', "the relay's /metrics for the delivery view (default: from RELAY_HTTP_HOST/PORT)")
    .option('--actor <name>', 'actor in the audit records of changes made here', `console:${userInfo().username}`)
    .action(async (options: ConsoleOptions) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65_535)
        throw new CliExit(EXIT.USAGE, `--port ${options.port}: give a port number`);
      const config = requireConfig();
      const fromEnv = config.console.token;
      const token = fromEnv ?? newToken();
      const secrets = [...secretsOf(config), token];
      const logger = createLogger({
        level: 'warn',
        name: 'klaviyo-relay-console',
        secrets,
        destination: { write: (line: string) => process.stderr.write(line) },
      });
      const kafka = createKafka(config, logger);
      const admin = kafka.admin();
      await admin.connect();
      const schemas = createSchemaReader(config);
      const jobs = createReplayJobs();
      const metricsHost = ['0.0.0.0', '::'].includes(config.http.host) ? '127.0.0.1' : config.http.host;
      const server = await startConsoleServer(
        {
          context: (command) => ({
            kafka,
            admin,
            config,
            schemas,
            now: () => Date.now(),
            actor: options.actor ?? 'console',
            host: hostname(),
            command,
            progress: { write: () => undefined, isTTY: false },
          }),
          token,
          jobs,
          metricsUrl: options.metricsUrl ?? `http://${metricsHost}:${config.http.port}/metrics`,
        },
        { host: options.host, port },
      );
      if (!LOOPBACK.includes(options.host))
        process.stderr.write(`warning: listening on ${options.host}: anyone who reaches it can read dead letters\n`);
      process.stdout.write(
        `klaviyo-relay console on ${server.url}\n` +
          (fromEnv === undefined
            ? `token for changes (replay, park, purge): ${token}\n`
            : 'token for changes: RELAY_CONSOLE_TOKEN\n'),
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      // Running replays stop after their chunk in flight; each can be resumed from the console or the CLI.
      await server.close();
      await admin.disconnect();
    });
}
