/**
 * `klaviyo-relay schemas …`: schema governance over schemas/ (or --dir). Exit codes: 0 compatible/clean,
 * 1 breaking change, lint findings, stale docs or refused apply, 2 usage error or unreachable registry
 * (the message names the URL it tried).
 */
import type { Command } from 'commander';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isRelayError, type RelayErrorCode } from '../errors.ts';
import { buildCatalogue } from '../governance/catalogue/catalogue.ts';
import { createRegistryClient, type RegistryClient } from '../governance/registry/client.ts';
import {
  applyDir,
  checkOffline,
  checkRegistry,
  ciDir,
  diffEvent,
  lintDir,
  planDir,
  type Report,
} from '../governance/workflows.ts';
import { CliExit, EXIT } from './exit-codes.ts';

interface DirOptions {
  dir: string;
}
interface RegistryOptions extends DirOptions {
  registry?: string;
}

export function registerSchemas(program: Command): void {
  const schemas = program
    .command('schemas')
    .description('schema governance: lint, compatibility gates, plan/apply, diff and the event catalogue');

  const withDir = (command: Command) => command.option('--dir <dir>', 'schema directory', 'schemas');
  const withRegistry = (command: Command) =>
    withDir(command).option('--registry <url>', 'Confluent-compatible registry URL (default: $SCHEMA_REGISTRY_URL)');

  withDir(schemas.command('lint'))
    .description('check every .avsc against our conventions (rule id, file, JSON path and fix for each finding)')
    .action((options: DirOptions) => run(() => lintDir(options.dir)));

  withRegistry(schemas.command('check'))
    .description('compatibility of the local schemas with the registry, or with git history (--offline --against)')
    .option('--offline', 'compare with the schemas in git instead of the registry')
    .option('--against <ref>', 'git revision to compare with (with --offline)')
    .action((options: RegistryOptions & { offline?: boolean; against?: string }) => {
      if (options.offline === true) {
        if (options.against === undefined) throw new CliExit(EXIT.USAGE, 'check --offline needs --against <git-ref>');
        const against = options.against;
        return run(() => checkOffline(options.dir, against));
      }
      return run(() => checkRegistry(options.dir, registryFrom(options)));
    });

  withRegistry(schemas.command('plan'))
    .description('what apply would change: new subjects, new versions, compatibility levels')
    .action((options: RegistryOptions) => run(() => planDir(options.dir, registryFrom(options))));

  withRegistry(schemas.command('apply'))
    .description('register the local schemas and set compatibility levels, idempotently')
    .option('--allow-breaking', 'register breaking changes too (the subject level is restored afterwards)')
    .action((options: RegistryOptions & { allowBreaking?: boolean }) =>
      run(() => applyDir(options.dir, registryFrom(options), options.allowBreaking === true)),
    );

  withRegistry(schemas.command('diff'))
    .description('field-level diff of an event: registered latest (or --from) against local (or --to)')
    .argument('<event-type>', 'event type, e.g. OrderPlaced')
    .option('--from <version>', 'registered version to diff from (default: latest)', versionNumber)
    .option('--to <version>', 'registered version to diff to (default: the local schema)', versionNumber)
    .action((eventType: string, options: RegistryOptions & { from?: number; to?: number }) =>
      run(() =>
        diffEvent(options.dir, eventType, registryFrom(options), {
          ...(options.from === undefined ? {} : { from: options.from }),
          ...(options.to === undefined ? {} : { to: options.to }),
        }),
      ),
    );

  withDir(schemas.command('docs'))
    .description('generate the Markdown event catalogue')
    .option('--out <file>', 'where to write it', 'docs/events.md')
    .option('--check', 'do not write; fail when the file is stale')
    .action((options: DirOptions & { out: string; check?: boolean }) =>
      run(async () => {
        const built = await buildCatalogue(options.dir);
        if (!built.ok) throw new CliExit(EXIT.USAGE, built.problems.join('\n'));
        if (options.check === true) {
          const current = await readFile(options.out, 'utf8').catch(() => '');
          const stale = current !== built.markdown;
          return {
            lines: [
              stale ? `${options.out} is stale: run \`klaviyo-relay schemas docs\`` : `${options.out} is up to date`,
            ],
            failed: stale,
          };
        }
        await mkdir(path.dirname(options.out), { recursive: true });
        await writeFile(options.out, built.markdown);
        return { lines: [`wrote ${options.out}`], failed: false };
      }),
    );

  withDir(schemas.command('ci'))
    .description('lint, then check --offline against the merge base (--base, $GITHUB_BASE_REF) or HEAD~1')
    .option('--base <ref>', 'branch the change merges into')
    .action((options: DirOptions & { base?: string }) => run(() => ciDir(options.dir, { base: options.base })));
}

/** The registry cannot be reached, or what the command names (a revision, an event, a directory) is not there. */
const USAGE_CODES = new Set<RelayErrorCode>(['REGISTRY_UNAVAILABLE', 'CONFIG_INVALID', 'NOT_FOUND', 'USAGE_INVALID']);

async function run(command: () => Promise<Report>): Promise<void> {
  let report: Report;
  try {
    report = await command();
  } catch (error) {
    if (isRelayError(error) && USAGE_CODES.has(error.code)) throw new CliExit(EXIT.USAGE, error.message);
    throw error;
  }
  process.stdout.write(`${report.lines.join('\n')}\n`);
  if (report.failed) throw new CliExit(EXIT.FAILURE, '');
}

function registryFrom(options: RegistryOptions, env: NodeJS.ProcessEnv = process.env): RegistryClient {
  const url = options.registry ?? env.SCHEMA_REGISTRY_URL;
  if (url === undefined || url === '') {
    throw new CliExit(EXIT.USAGE, 'no registry: pass --registry <url> or set SCHEMA_REGISTRY_URL');
  }
  if (!/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
    throw new CliExit(EXIT.USAGE, `--registry must be an http(s) URL, got ${url}`);
  }
  const username = env.SCHEMA_REGISTRY_USERNAME;
  const password = env.SCHEMA_REGISTRY_PASSWORD;
  return createRegistryClient({
    baseUrl: url,
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
  });
}

function versionNumber(value: string): number {
  const version = Number(value);
  if (!Number.isInteger(version) || version < 1) throw new CliExit(EXIT.USAGE, `not a version number: ${value}`);
  return version;
}
