/**
 * `klaviyo-relay run [--role all|projector|dispatcher]`: the service. Exit 2 lists every configuration
 * problem (KLAVIYO_API_KEY is required when the role includes the dispatcher); SIGTERM/SIGINT stop it
 * gracefully within RELAY_SHUTDOWN_TIMEOUT_MS (exit 0), or exit 1 when the bound is exceeded.
 */
import type { Command } from 'commander';
import { secretsOf } from '../config/config.ts';
import { startRelay } from '../main.ts';
import { redactText } from '../observability/redact.ts';
import { requireConfig } from './config-context.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { debugRequested, describeFailure } from './failure.ts';

const ROLES = ['all', 'projector', 'dispatcher'] as const;

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the relay: projector and dispatcher (or one of them), with /metrics, /healthz, /readyz')
    .option('--role <role>', `which roles to run: ${ROLES.join(', ')} (default: RELAY_ROLE, else all)`)
    .action(async (options: { role?: string }) => {
      if (options.role !== undefined && !(ROLES as readonly string[]).includes(options.role)) {
        throw new CliExit(EXIT.USAGE, `--role must be one of ${ROLES.join(', ')}, not "${options.role}"`);
      }
      // Every setting, including the routing file, the freshness windows and the key the role needs, is
      // checked here: a bad one exits 2 before anything touches Kafka.
      const config = requireConfig(
        options.role === undefined ? process.env : { ...process.env, RELAY_ROLE: options.role },
        { service: true },
      );
      const secrets = secretsOf(config);
      let relay;
      try {
        relay = await startRelay(config);
      } catch (error) {
        // The README's table decides the code: Kafka or the registry out of reach is 2, anything else 1.
        const failure = describeFailure(error, { debug: debugRequested(process.argv, process.env), secrets });
        exitSoonIfStuck(failure.exitCode);
        throw new CliExit(
          failure.exitCode,
          failure.text.replace(/^klaviyo-relay: /, 'klaviyo-relay could not start: '),
        );
      }
      const signal = await new Promise<NodeJS.Signals>((resolve) => {
        process.once('SIGTERM', () => resolve('SIGTERM'));
        process.once('SIGINT', () => resolve('SIGINT'));
      });
      process.stderr.write(`klaviyo-relay: ${signal} received, stopping (send it again to exit at once)\n`);
      // A second signal means "now": nothing uncommitted is lost, it is redelivered to the next owner.
      const now = (): void => process.exit(EXIT.FAILURE);
      process.once('SIGTERM', now);
      process.once('SIGINT', now);
      try {
        await relay.stop();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        exitSoonIfStuck(EXIT.FAILURE);
        throw new CliExit(EXIT.FAILURE, `klaviyo-relay: ${redactText(message, { secrets })}`);
      }
    });
}

/**
 * After a failed start or an abandoned shutdown some client may still hold a socket open; the process
 * must end anyway. The timer is unref'd: it only fires if something else keeps the event loop alive.
 */
function exitSoonIfStuck(code: number): void {
  setTimeout(() => process.exit(code), 2_000).unref();
}
