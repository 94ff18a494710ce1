// A lock file so that two `stack:up` runs at once (two engineers, or two test runs, sharing this tree)
// do not both start a broker. A lock left by a process that died is taken over.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StackError } from './stack-error.ts';
import { isAlive, sleep } from './processes.ts';

export async function withStackLock<T>(
  stateDir: string,
  timeoutMs: number,
  say: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const lockFile = path.join(stateDir, 'lock');
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''));
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new StackError(`another stack command (pid ${holder}) holds ${lockFile}; gave up waiting`);
    }
    if (!announced) say(`waiting for another stack command (pid ${holder}) to finish…`);
    announced = true;
    await sleep(250);
  }
  try {
    return await work();
  } finally {
    const holder = await readFile(lockFile, 'utf8').catch(() => '');
    if (holder === String(process.pid)) await rm(lockFile, { force: true });
  }
}
