/**
 * `check --offline --against <ref>` and `schemas ci` on a real git repository built for the test, and
 * the CLI's exit codes (0 compatible, 1 breaking or lint errors, 2 usage or unreachable registry).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { checkOffline, ciDir } from '../../src/governance/workflows.ts';
import { createSchemaDir, field, optional, type SchemaDir } from './fixtures.ts';

const exec = promisify(execFile);
const bin = new URL('../../bin/klaviyo-relay', import.meta.url).pathname;
const run = randomUUID().replace(/-/g, '').slice(0, 10);

async function git(schemas: SchemaDir, ...args: string[]): Promise<string> {
  const cwd = path.dirname(schemas.dir);
  const { stdout } = await exec('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd });
  return stdout;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec(bin, args, { env: { ...process.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const v1 = [field('orderId', 'string'), field('currency', 'string'), field('totalMinor', 'long')];
const v2 = [...v1, optional('giftMessage')];

describe('offline compatibility check against git history', () => {
  let schemas: SchemaDir;

  beforeAll(async () => {
    schemas = await createSchemaDir(run, ['OrderPlaced']);
    await schemas.write('OrderPlaced', v1);
    await git(schemas, 'init', '-q', '-b', 'main');
    await git(schemas, 'add', '.');
    await git(schemas, 'commit', '-q', '-m', 'v1');
  });

  it('with a single commit, ci lints and says there is nothing to compare', async () => {
    const report = await ciDir(schemas.dir, { base: undefined }, {});
    expect(report.failed).toBe(false);
    expect(report.lines.at(-1)).toBe(
      'no HEAD~1 to compare with (single commit or shallow clone): compatibility check skipped',
    );
  });

  it('passes a compatible working-tree change and commits it', async () => {
    await schemas.write('OrderPlaced', v2);
    const report = await checkOffline(schemas.dir, 'HEAD');
    expect(report.failed).toBe(false);
    expect(report.lines.join('\n')).toContain(`✓ ${schemas.subject('OrderPlaced')}: compatible (FULL_TRANSITIVE`);
    await git(schemas, 'commit', '-q', '-am', 'v2');
  });

  it('explains a breaking change against every earlier version (transitive)', async () => {
    await schemas.write('OrderPlaced', [...v1, field('giftMessage', 'string')]);
    const report = await checkOffline(schemas.dir, 'HEAD');
    expect(report.failed).toBe(true);
    const text = report.lines.join('\n');
    expect(text).toContain('BREAKING under FULL_TRANSITIVE (against 2 versions');
    expect(text).toContain('new field `giftMessage` (string) has no default');
    expect(text).toContain('fix: add a default to new field `giftMessage`');
  });

  it('ci compares with the previous commit once there is one', async () => {
    await schemas.write('OrderPlaced', v2);
    const report = await ciDir(schemas.dir, { base: undefined }, {});
    expect(report.failed).toBe(false);
    expect(report.lines.join('\n')).toContain('offline check against HEAD~1');
  });

  it('exits 0 when compatible, 1 when breaking, 2 for a usage error', async () => {
    const ok = await cli('schemas', 'check', '--offline', '--against', 'HEAD', '--dir', schemas.dir);
    expect(ok.code).toBe(0);
    await schemas.write('OrderPlaced', [field('orderId', 'long')]);
    const broken = await cli('schemas', 'check', '--offline', '--against', 'HEAD', '--dir', schemas.dir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('field `orderId` changed type from string to long');
    const usage = await cli('schemas', 'check', '--offline', '--against', 'no-such-ref', '--dir', schemas.dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('no such git revision: no-such-ref');
    await schemas.write('OrderPlaced', v2);
  });

  it('exits 1 for lint errors and 2 with the URL when the registry is unreachable', async () => {
    const lintClean = await cli('schemas', 'lint', '--dir', schemas.dir);
    expect(lintClean.code).toBe(0);
    await schemas.write('OrderPlaced', [...v2, field('price', 'double')]);
    const lint = await cli('schemas', 'lint', '--dir', schemas.dir);
    expect(lint.code).toBe(1);
    expect(lint.stdout).toContain('[money/minor-units] money field OrderPlaced.price is floating point');
    await schemas.write('OrderPlaced', v2);
    const unreachable = await cli(
      'schemas',
      'check',
      '--dir',
      schemas.dir,
      '--registry',
      'http://127.0.0.1:9/apis/ccompat/v7',
    );
    expect(unreachable.code).toBe(2);
    expect(unreachable.stderr).toContain('cannot reach the schema registry at http://127.0.0.1:9/apis/ccompat/v7/');
    const reachable = await cli('schemas', 'check', '--dir', schemas.dir, '--registry', inject('schemaRegistryUrl'));
    expect(reachable.code).toBe(0);
  });
});
