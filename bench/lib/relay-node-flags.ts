/**
 * How the relay's process is started: bin/klaviyo-relay passes these flags to `node` and sets the
 * environment, the Dockerfile sets both with ENV, and the benchmarks start their relay workers with them
 * (forkRelayWorker), so the figures are the service's (test/bench/relay-node-flags.unit.test.ts keeps the
 * three alike).
 *
 * Both are about resident memory; the relay's live heap is about 40 MiB (a heap snapshot at 1,000 mixed
 * events/s), but its RSS was about 400 MiB (bench:memory; BENCHMARKS.md):
 * - --max-semi-space-size=2 (MiB): V8 otherwise grows the young generation to tens of MiB for the relay's
 *   short-lived garbage (Kafka records, HTTP bodies). With it RSS fell to about 280 MiB, and the projector
 *   ran 10% faster on 20% less CPU (bench:projector; 2 and 4 MiB measured alike).
 * - MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena, and freed Buffer
 *   memory stays in them; two arenas took about 10 more MiB off.
 */
import { forkWorker, type WorkerHandle } from './fork-worker.ts';

export const RELAY_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

export const RELAY_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** bench/workers/relay-worker.ts in its own process, started as the service is; optionally CPU-profiled. */
export function forkRelayWorker(env: Readonly<Record<string, string>>, cpuProfileDir?: string): WorkerHandle {
  return forkWorker(new URL('../workers/relay-worker.ts', import.meta.url), { ...env, ...RELAY_PROCESS_ENV }, [
    ...RELAY_NODE_FLAGS,
    ...(cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`]),
  ]);
}
