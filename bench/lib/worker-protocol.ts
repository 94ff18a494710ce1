/**
 * Messages between a benchmark and the worker processes it forks (the relay, the counting consumer).
 * Workers run in their own process so that their CPU time and peak RSS are theirs alone, not the
 * producer's or the sandbox's.
 */

export interface CpuSnapshot {
  /** Epoch ms when taken. */
  readonly at: number;
  /** User + system CPU seconds of the worker since it started. */
  readonly cpuSeconds: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** V8 heap reserved (used + free): what the JS heap holds of the RSS. */
  readonly heapTotalBytes: number;
  /** Memory outside the JS heap held by JS objects: Buffers (Kafka batches, HTTP bodies) and the like. */
  readonly externalBytes: number;
}

export type WorkerMessage =
  | { readonly kind: 'ready'; readonly snapshot: CpuSnapshot }
  | { readonly kind: 'sample'; readonly snapshot: CpuSnapshot }
  | {
      readonly kind: 'done';
      readonly snapshot: CpuSnapshot;
      /** Peak RSS over the worker's life (getrusage maxrss). */
      readonly peakRssBytes: number;
      readonly counters: Readonly<Record<string, number>>;
      /** Set when the graceful stop failed (e.g. exceeded RELAY_SHUTDOWN_TIMEOUT_MS): a finding, not a crash. */
      readonly shutdownProblem?: string;
    }
  | { readonly kind: 'failed'; readonly message: string };

export type ParentMessage = { readonly kind: 'stop' };

export function snapshot(): CpuSnapshot {
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    at: Date.now(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    heapTotalBytes: memory.heapTotal,
    externalBytes: memory.external,
  };
}

export function peakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  return typeof value === 'object' && value !== null && 'kind' in value && typeof value.kind === 'string';
}

export function isStopMessage(value: unknown): value is ParentMessage {
  return typeof value === 'object' && value !== null && 'kind' in value && value.kind === 'stop';
}
