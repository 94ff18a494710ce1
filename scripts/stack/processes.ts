// Background JVMs owned by the stack. Each one carries a marker system property naming the component
// and the state folder, and a pid file records it; `down` signals a pid only when that pid still runs
// with our marker, so a recycled pid or someone else's Kafka is never touched.
import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Component = 'kafka' | 'registry';

export type PidRecord = Readonly<{
  component: Component;
  pid: number;
  version: string;
  ports: readonly number[];
  startedAt: string;
  log: string;
  marker: string;
}>;

export function markerFor(component: Component, stateDir: string): string {
  return `-Dklaviyo.relay.stack=${component}@${stateDir}`;
}

function pidFile(stateDir: string, component: Component): string {
  return path.join(stateDir, `${component}.pid.json`);
}

export async function readPidRecord(stateDir: string, component: Component): Promise<PidRecord | undefined> {
  try {
    return JSON.parse(await readFile(pidFile(stateDir, component), 'utf8')) as PidRecord;
  } catch {
    return undefined;
  }
}

export async function forgetPidRecord(stateDir: string, component: Component): Promise<void> {
  await rm(pidFile(stateDir, component), { force: true });
}

/** The recorded process, if it is alive and still ours; otherwise undefined (and the stale record is dropped). */
export async function runningProcess(stateDir: string, component: Component): Promise<PidRecord | undefined> {
  const record = await readPidRecord(stateDir, component);
  if (record === undefined) return undefined;
  if (await isOurs(record.pid, record.marker)) return record;
  await forgetPidRecord(stateDir, component);
  return undefined;
}

export async function isOurs(pid: number, marker: string): Promise<boolean> {
  return (await commandLine(pid))?.includes(marker) ?? false;
}

async function commandLine(pid: number): Promise<string | undefined> {
  const proc = `/proc/${pid}/cmdline`;
  if (existsSync('/proc/self/cmdline')) {
    try {
      return (await readFile(proc, 'utf8')).replaceAll('\0', ' ');
    } catch {
      return undefined;
    }
  }
  try {
    return (await run('ps', ['-o', 'args=', '-p', String(pid)])).stdout; // macOS: no /proc
  } catch {
    return undefined;
  }
}

export type Launch = Readonly<{
  component: Component;
  stateDir: string;
  command: string;
  args: readonly string[];
  cwd: string;
  log: string;
  version: string;
  ports: readonly number[];
}>;

/** Starts a detached process that outlives this one, output appended to its log; records its pid. */
export async function launch(spec: Launch): Promise<PidRecord> {
  const marker = markerFor(spec.component, spec.stateDir);
  // Keep exactly one previous log: enough to read why the last run died, bounded on disk.
  await rename(spec.log, `${spec.log}.previous`).catch(() => undefined);
  const out = openSync(spec.log, 'a');
  try {
    const child = spawn(spec.command, [marker, ...spec.args], {
      cwd: spec.cwd,
      detached: true, // own process group: Ctrl-C in the terminal that ran `stack:up` does not stop it
      stdio: ['ignore', out, out],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => (child.pid === undefined ? reject(new Error('no pid')) : resolve(child.pid)));
    });
    child.unref();
    const record: PidRecord = {
      component: spec.component,
      pid,
      version: spec.version,
      ports: spec.ports,
      startedAt: new Date().toISOString(),
      log: spec.log,
      marker,
    };
    await writeFile(pidFile(spec.stateDir, spec.component), `${JSON.stringify(record, null, 2)}\n`);
    return record;
  } finally {
    closeSync(out);
  }
}

/** SIGTERM (Kafka shuts down cleanly on it), then SIGKILL after the grace period. */
export async function stopProcess(record: PidRecord, graceMs: number): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!(await isOurs(record.pid, record.marker))) return 'not-running';
  signal(record.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isOurs(record.pid, record.marker))) return 'stopped';
    await sleep(200);
  }
  signal(record.pid, 'SIGKILL');
  while (await isOurs(record.pid, record.marker)) await sleep(100);
  return 'killed';
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
