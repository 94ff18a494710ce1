// npm run stack:up | stack:down | stack:status — the local Kafka + schema registry without Docker.
import { StackError } from './stack-error.ts';
import { ensureStack, stackStatus, stopStack } from './stack.ts';
import type { StackStatus } from './stack.ts';

const say = (line: string): void => {
  process.stderr.write(`stack: ${line}\n`);
};

async function up(): Promise<number> {
  const startedAt = Date.now();
  const endpoints = await ensureStack({ say });
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const verb =
    endpoints.started.length === 0 ? 'already running' : `started ${endpoints.started.join(' and ')} in ${seconds}s`;
  say(`${verb}: Kafka ${endpoints.kafkaVersion}, Apicurio Registry ${endpoints.registryVersion}`);
  // stdout carries only machine-readable lines, so `eval "$(npm run -s stack:up)"` works.
  process.stdout.write(`export KAFKA_BROKERS=${endpoints.kafkaBrokers}\n`);
  process.stdout.write(`export SCHEMA_REGISTRY_URL=${endpoints.schemaRegistryUrl}\n`);
  return 0;
}

async function down(): Promise<number> {
  const stopped = await stopStack({ say });
  if (stopped.length === 0) say('nothing to stop: the stack was not running');
  return 0;
}

async function status(): Promise<number> {
  const report = await stackStatus();
  process.stdout.write(formatStatus(report));
  return report.healthy ? 0 : 1;
}

function formatStatus(report: StackStatus): string {
  const lines = report.components.map((c) => {
    const name = c.component === 'kafka' ? 'kafka   ' : 'registry';
    const version = c.record ? `${c.component === 'kafka' ? 'Kafka' : 'Apicurio'} ${c.record.version}` : '';
    const where = c.record
      ? `pid ${c.record.pid}, ports ${c.record.ports.join('/')}, since ${c.record.startedAt}`
      : 'not started by stack:up';
    const state =
      c.running && c.answering
        ? 'running'
        : c.running
          ? 'starting or unhealthy'
          : c.answering
            ? 'FOREIGN (answers, but not ours)'
            : 'stopped';
    return `${name}  ${state.padEnd(22)} ${version.padEnd(15)} ${where}\n          ${c.detail}${c.record ? `; log ${c.record.log}` : ''}`;
  });
  return [
    ...lines,
    `KAFKA_BROKERS=${report.kafkaBrokers}`,
    `SCHEMA_REGISTRY_URL=${report.schemaRegistryUrl}`,
    `overall: ${report.healthy ? 'running' : 'NOT running (npm run stack:up)'}`,
    '',
  ].join('\n');
}

const commands: Readonly<Record<string, () => Promise<number>>> = { up, down, status };
const command = commands[process.argv[2] ?? ''];
if (command === undefined) {
  process.stderr.write('usage: node scripts/stack/cli.ts up|down|status\n');
  process.exit(2);
}
try {
  process.exitCode = await command();
} catch (error) {
  say(
    error instanceof StackError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error),
  );
  process.exitCode = 1;
}
