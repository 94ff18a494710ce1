/**
 * `klaviyo-relay dlq list|stats|show|replay|park|purge|audit`: the dead-letter tool (issue 7). Works on
 * any of our dead-letter topics (`<source>.dlq`, `klaviyo.requests.dlq`). The work is in src/dlq/; this
 * file turns options into calls and results into text (or `--json` for scripts).
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { secretsOf } from '../config/config.ts';
import { formatAuditTable } from '../dlq/audit-record.ts';
import { parseFilter, type DlqFilter, type FilterOptions } from '../dlq/filter.ts';
import {
  executeReplay,
  previewReplay,
  purge,
  readAudit,
  resumeReplay,
  selectDeadLetters,
  type DlqContext,
  type PurgeOutcome,
  type ReplayOutcome,
  type ReplayPreview,
} from '../dlq/operations.ts';
import { parseReplayOptions, replayRequestOf, type ReplayCommandOptions } from '../dlq/replay-options.ts';
import { formatPreview, formatReplaySummary } from '../dlq/summary.ts';
import { createSchemaReader, decodedValue } from '../dlq/schema-names.ts';
import { formatShown, showDeadLetter } from '../dlq/show.ts';
import { computeStats, formatStats } from '../dlq/stats.ts';
import { createLogger } from '../observability/logger.ts';
import { redactText } from '../observability/redact.ts';
import { createKafka } from '../pipeline/kafka/client.ts';
import { requireConfig } from './config-context.ts';
import { CliExit, EXIT } from './exit-codes.ts';
import { debugRequested } from './failure.ts';

interface CommonOptions extends FilterOptions {
  readonly json?: boolean;
  readonly actor?: string;
  readonly includeHandled?: boolean;
}

type ReplayOptions = CommonOptions & ReplayCommandOptions & { readonly force?: boolean };

const FORCE_HELP = 'allow a topic that is not a dead-letter topic (.dlq, .parked)';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function withFilters(command: Command): Command {
  return command
    .option('--code <code>', 'error code, e.g. VALIDATION_FAILED (repeatable, or comma-separated)', collect)
    .option('--stage <stage>', 'decode, validate, project or deliver (repeatable)', collect)
    .option('--type <type>', 'event type (OrderPlaced) or metric (Reset Password) (repeatable)', collect)
    .option('--key <key>', 'record key (repeatable)', collect)
    .option('--since <time>', 'failed at or after: ISO 8601 or a duration ago (2h, 3d)')
    .option('--until <time>', 'failed at or before: ISO 8601 or a duration ago')
    .option('--partition <ranges>', 'dead-letter partitions: 0,2-3')
    .option('--offset <ranges>', 'dead-letter offsets: 100-200, 500-')
    .option('--limit <n>', 'at most n records, in partition/offset order')
    .option('--include-handled', 'include dead letters already replayed, parked or purged')
    .option('--json', 'machine-readable output');
}

export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('inspect, replay, park and purge dead letters; every change is audited');

  for (const name of ['list', 'stats'] as const) {
    withFilters(dlq.command(`${name} <topic>`))
      .description('counts by error code, stage, event type, original topic and hour; oldest and newest')
      .action(async (topic: string, options: CommonOptions) => {
        await withContext(options, async (ctx) => {
          const selection = await selectDeadLetters(ctx, topic, filterFrom(options, ctx.now()), {
            includeHandled: options.includeHandled === true,
          });
          const stats = computeStats(topic, selection.selected);
          if (options.json === true)
            print(JSON.stringify({ ...stats, handledHidden: selection.handledSkipped }, null, 2));
          else {
            process.stdout.write(formatStats(stats));
            if (selection.handledSkipped > 0)
              print(`\n(${selection.handledSkipped} already replayed, parked or purged; --include-handled shows them)`);
          }
        });
      });
  }

  withFilters(dlq.command('show <topic>'))
    .description('dead letters with decoded values, error headers and Klaviyo errors; secrets and reset links redacted')
    .action(async (topic: string, options: CommonOptions) => {
      await withContext(options, async (ctx) => {
        const filter = filterFrom(options, ctx.now());
        const limited: DlqFilter = { ...filter, limit: filter.limit ?? 20 };
        const selection = await selectDeadLetters(ctx, topic, limited, {
          includeHandled: options.includeHandled === true,
        });
        const secrets = secretsOf(ctx.config);
        const shown = [];
        for (const view of selection.selected) {
          shown.push(showDeadLetter(view, await decodedValue(ctx.schemas, view), { secrets }));
        }
        if (options.json === true) print(JSON.stringify(shown, null, 2));
        else if (shown.length === 0) print(`no dead letters in ${topic} match`);
        else process.stdout.write(shown.map(formatShown).join('\n'));
      });
    });

  withFilters(dlq.command('replay [topic]'))
    .description('put dead letters back where they came from (or --to), exactly once per replay id; resumable')
    .option('--to <topic>', 'send every selected record here instead')
    .option('--backfill', 'record replayed events in Klaviyo without firing flows')
    .option('--max-age <duration>', 'backfill replayed events that occurred longer ago than this (e.g. 1h)')
    .option('--rate <n>', 'at most n records per second')
    .option('--dry-run', 'show exactly what would be replayed; change nothing')
    .option('--id <id>', 'the replay id (default: generated)')
    .option('--resume <id>', 'continue an interrupted replay with this id')
    .option('--actor <name>', 'who is replaying, for the audit (default: the OS user)')
    .option('--force', FORCE_HELP)
    .action(async (topic: string | undefined, options: ReplayOptions) => {
      await replayCommand('replay', topic, options);
    });

  withFilters(dlq.command('park <topic>'))
    .description('move dead letters to <topic>.parked for a human; audited, resumable like a replay')
    .option('--dry-run', 'show exactly what would be parked; change nothing')
    .option('--id <id>', 'the operation id (default: generated)')
    .option('--resume <id>', 'continue an interrupted park with this id')
    .option('--actor <name>', 'who is parking, for the audit (default: the OS user)')
    .option('--force', FORCE_HELP)
    .action(async (topic: string, options: ReplayOptions) => {
      await replayCommand('park', topic, options);
    });

  withFilters(dlq.command('purge <topic>'))
    .description('drop dead letters: with filters they are marked purged in the audit topic; --all deletes the log')
    .option('--all', 'delete every record of the topic up to now (Kafka deleteRecords); takes no filters')
    .option('--dry-run', 'count what would be purged; change nothing')
    .option('--yes', 'required (except with --dry-run): purging cannot be undone')
    .option('--actor <name>', 'who is purging, for the audit (default: the OS user)')
    .option('--force', FORCE_HELP)
    .action(async (topic: string, options: PurgeCommandOptions) => {
      const dryRun = options.dryRun === true;
      if (options.yes !== true && !dryRun) throw new CliExit(EXIT.USAGE, 'purge cannot be undone: add --yes');
      await withContext(options, async (ctx) => {
        const result = await purge(ctx, topic, filterFrom(options, ctx.now()), options.all === true, {
          force: options.force === true,
          dryRun,
        });
        if (options.json === true) print(JSON.stringify({ ...result, audit: result.audit ?? null }, null, 2));
        else print(describePurge(topic, result, ctx.config.relay.auditTopic));
      });
    });

  dlq
    .command('audit')
    .description('every replay, park and purge: who, when, what, how many')
    .option('--topic <topic>', 'only operations on this dead-letter topic')
    .option('--json', 'machine-readable output')
    .action(async (options: { readonly topic?: string; readonly json?: boolean }) => {
      await withContext({}, async (ctx) => {
        const records = (await readAudit(ctx)).filter(
          (record) => options.topic === undefined || record.dlqTopic === options.topic,
        );
        if (options.json === true) print(JSON.stringify(records, null, 2));
        else process.stdout.write(formatAuditTable(records));
      });
    });
}

async function replayCommand(
  mode: 'replay' | 'park',
  topic: string | undefined,
  options: ReplayOptions,
): Promise<void> {
  const parsed = parseReplayOptions(mode, topic, options, Date.now());
  if (!parsed.ok) throw new CliExit(EXIT.USAGE, parsed.message);
  const invocation = parsed.value;
  await withContext(options, async (ctx) => {
    const controller = new AbortController();
    const interrupt = (): void => controller.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      let outcome: ReplayOutcome;
      let preview: ReplayPreview | undefined;
      const force = options.force === true;
      const runOptions = {
        ...(invocation.ratePerSecond === undefined ? {} : { ratePerSecond: invocation.ratePerSecond }),
        signal: controller.signal,
        force,
      };
      if (invocation.kind === 'resume') {
        outcome = await resumeReplay(ctx, invocation.replayId, runOptions);
      } else {
        preview = await previewReplay(
          ctx,
          replayRequestOf(mode, invocation, { includeHandled: options.includeHandled === true, force }),
        );
        if (invocation.dryRun) {
          if (options.json === true)
            print(
              JSON.stringify(
                {
                  plan: preview.plan,
                  records: preview.records.map((record) => ({
                    at: `${record.view.record.partition}@${record.view.record.offset}`,
                    action: record.decision.kind,
                    ...('topic' in record.decision ? { topic: record.decision.topic } : {}),
                  })),
                },
                null,
                2,
              ),
            );
          else process.stdout.write(formatPreview(preview));
          return;
        }
        outcome = await executeReplay(ctx, preview.plan, runOptions);
      }
      if (options.json === true)
        print(
          JSON.stringify(
            { plan: outcome.plan, run: outcome.run, started: outcome.started ?? null, audit: outcome.audit ?? null },
            null,
            2,
          ),
        );
      else process.stdout.write(formatReplaySummary(outcome, preview));
      if (!outcome.run.completed)
        throw new CliExit(
          EXIT.FAILURE,
          `interrupted; continue with: klaviyo-relay dlq ${mode} --resume ${outcome.plan.replayId}`,
        );
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  });
}

async function withContext(
  options: { readonly actor?: string },
  body: (ctx: DlqContext) => Promise<void>,
): Promise<void> {
  const config = requireConfig();
  const secrets = secretsOf(config);
  // The client's retries and connection errors are for --debug; a person gets the one-line reason at the end.
  const logger = createLogger({
    level: debugRequested(process.argv, process.env) ? 'debug' : 'silent',
    name: 'klaviyo-relay-dlq',
    secrets,
    destination: { write: (line: string) => process.stderr.write(line) },
  });
  const kafka = createKafka(config, logger);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await body({
      kafka,
      admin,
      config,
      schemas: createSchemaReader(config),
      now: () => Date.now(),
      actor: options.actor ?? userInfo().username,
      host: hostname(),
      command: process.argv.slice(2).map((arg) => redactText(arg, { secrets })),
      progress: { write: (text) => process.stderr.write(text), isTTY: process.stderr.isTTY === true },
    });
  } finally {
    await admin.disconnect();
  }
}

function filterFrom(options: FilterOptions, now: number): DlqFilter {
  const parsed = parseFilter(options, now);
  if (!parsed.ok) throw new CliExit(EXIT.USAGE, parsed.message);
  return parsed.value;
}

interface PurgeCommandOptions extends CommonOptions {
  readonly all?: boolean;
  readonly yes?: boolean;
  readonly dryRun?: boolean;
  readonly force?: boolean;
}

function describePurge(topic: string, result: PurgeOutcome, auditTopic: string): string {
  if (result.dryRun)
    return `dry run: would purge ${result.purged} records of ${topic}${result.deletedFromLog ? ' (deleted from the log)' : ''}; nothing changed`;
  if (result.audit === undefined) return `nothing to purge in ${topic}; nothing changed, nothing audited`;
  return result.deletedFromLog
    ? `purged ${result.purged} records from ${topic} (deleted from the log); audited as ${result.audit.auditId}`
    : `purged ${result.purged} records of ${topic}: marked gone in ${auditTopic} (Kafka keeps the bytes until retention); audited as ${result.audit.auditId}`;
}

function print(text: string): void {
  process.stdout.write(`${text}\n`);
}
