/** Parent side of bench/workers/*: fork with an environment, await `ready` and `done`, collect samples. */
import { fork, type ChildProcess } from 'node:child_process';
import type { CpuSnapshot, WorkerMessage } from './worker-protocol.ts';
import { isWorkerMessage } from './worker-protocol.ts';

export type DoneMessage = Extract<WorkerMessage, { kind: 'done' }>;

export interface WorkerHandle {
  /** Resolves with the worker's snapshot and the parent's clock when it reported `ready`. */
  readonly ready: Promise<{ readonly snapshot: CpuSnapshot; readonly receivedAt: number }>;
  /** Resolves when the worker reports `done` (by itself, or after `stop()`). */
  readonly done: Promise<DoneMessage & { readonly receivedAt: number }>;
  readonly samples: readonly CpuSnapshot[];
  /** Asks the worker to stop gracefully; `done` resolves when it has. */
  stop(): void;
  /** Last resort when a run fails: SIGKILL this worker (and only it). */
  kill(): void;
}

export function forkWorker(
  script: URL,
  env: Readonly<Record<string, string>>,
  /** Extra Node flags for the worker, e.g. `--cpu-prof` to profile it. */
  execArgv: readonly string[] = [],
): WorkerHandle {
  const child: ChildProcess = fork(script.pathname, [], {
    execArgv: [...process.execArgv, ...execArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const samples: CpuSnapshot[] = [];
  let resolveReady!: (value: { snapshot: CpuSnapshot; receivedAt: number }) => void;
  let resolveDone!: (value: DoneMessage & { receivedAt: number }) => void;
  let rejectBoth!: (error: Error) => void;
  const ready = new Promise<{ snapshot: CpuSnapshot; receivedAt: number }>((resolve, reject) => {
    resolveReady = resolve;
    rejectBoth = reject;
  });
  const done = new Promise<DoneMessage & { receivedAt: number }>((resolve, reject) => {
    resolveDone = resolve;
    const previous = rejectBoth;
    rejectBoth = (error) => {
      previous(error);
      reject(error);
    };
  });
  // Either promise may be awaited alone; the other must not become an unhandled rejection.
  ready.catch(() => undefined);
  done.catch(() => undefined);
  let finished = false;
  child.on('message', (message: unknown) => {
    if (!isWorkerMessage(message)) return;
    const receivedAt = Date.now();
    switch (message.kind) {
      case 'ready':
        samples.push(message.snapshot);
        resolveReady({ snapshot: message.snapshot, receivedAt });
        return;
      case 'sample':
        samples.push(message.snapshot);
        return;
      case 'done':
        finished = true;
        resolveDone({ ...message, receivedAt });
        // A relay whose graceful stop timed out may keep a socket open; the run must not hang on it.
        setTimeout(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }, 10_000).unref();
        return;
      case 'failed':
        finished = true;
        rejectBoth(new Error(`${script.pathname.split('/').pop()}: ${message.message}`));
        return;
    }
  });
  child.on('exit', (code, signal) => {
    if (!finished) rejectBoth(new Error(`${script.pathname} exited (${signal ?? code}) before reporting done`));
  });
  return {
    ready,
    done,
    samples,
    stop() {
      if (child.connected) child.send({ kind: 'stop' });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
