// Who is using the stack right now. A test run, benchmark or demo that starts the stack takes a lease
// and, when done, stops the stack only if no other live process holds one: two engineers running tests
// in the same tree at once must not pull the broker out from under each other.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './processes.ts';

function leasesDir(stateDir: string): string {
  return path.join(stateDir, 'leases');
}

export async function takeLease(stateDir: string, holder: string): Promise<string> {
  await mkdir(leasesDir(stateDir), { recursive: true });
  const file = path.join(leasesDir(stateDir), `${process.pid}-${randomUUID()}`);
  await writeFile(file, JSON.stringify({ pid: process.pid, holder, since: new Date().toISOString() }));
  return file;
}

export async function dropLease(lease: string): Promise<void> {
  await rm(lease, { force: true });
}

/** Leases whose process still lives; leases of dead processes are cleaned up on the way. */
export async function liveLeases(stateDir: string): Promise<string[]> {
  const names = await readdir(leasesDir(stateDir)).catch(() => []);
  const live: string[] = [];
  for (const name of names) {
    const file = path.join(leasesDir(stateDir), name);
    const pid = await leaseHolderPid(file);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) live.push(file);
    else await rm(file, { force: true });
  }
  return live;
}

async function leaseHolderPid(file: string): Promise<number> {
  try {
    return Number((JSON.parse(await readFile(file, 'utf8')) as { pid?: unknown }).pid);
  } catch {
    return Number.NaN; // unreadable or half-written: treated as dead
  }
}
