/**
 * promtool and the Prometheus server for the operations kit's tests. Where they are missing (a fresh clone on
 * a Debian machine running `npm test`), scripts/ops/ensure-prometheus.sh installs them, as .ci/run does.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const PROMTOOL = process.env['PROMTOOL'] ?? 'promtool';
export const PROMETHEUS = process.env['PROMETHEUS'] ?? 'prometheus';
const ENSURE_SCRIPT = new URL('../../scripts/ops/ensure-prometheus.sh', import.meta.url).pathname;

let ensured = false;
/** Installs Debian's prometheus package once when the tools are not on PATH (and not named by PROMTOOL/PROMETHEUS). */
function ensureTools(): void {
  if (ensured) return;
  ensured = true;
  if (process.env['PROMTOOL'] !== undefined || process.env['PROMETHEUS'] !== undefined) return;
  if (
    spawnSync(PROMTOOL, ['--version']).error === undefined &&
    spawnSync(PROMETHEUS, ['--version']).error === undefined
  )
    return;
  execFileSync(ENSURE_SCRIPT, { stdio: 'inherit' });
}

export interface ToolRun {
  readonly status: number | null;
  readonly output: string;
}

export function promtool(args: readonly string[], stdin?: string): ToolRun {
  ensureTools();
  const run = spawnSync(PROMTOOL, args, { input: stdin, encoding: 'utf8', timeout: 60_000 });
  if (run.error) throw new Error(`${PROMTOOL} ${args.join(' ')}: ${run.error.message} (npm run ops:check installs it)`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/** A port free right now on 127.0.0.1 (Prometheus and a restarted relay must keep theirs). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface PrometheusServer {
  readonly url: string;
  /** What it logged, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

export async function startPrometheus(configFile: string, dataDir: string): Promise<PrometheusServer> {
  ensureTools();
  const port = await freePort();
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-lifecycle',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${log}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready within 30 s:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
