/**
 * The relay under benchmark, in its own process: `startRelay` from the environment (the same config the
 * `run` command reads), exactly as in production. Reports `ready` once started (the consumer groups have
 * joined), a `sample` of CPU and memory every BENCH_SAMPLE_MS (default 1,000), and on `stop` shuts down
 * gracefully and reports `done` with its peak RSS and the relay's own counters.
 */
import type { Counter } from 'prom-client';
import { loadConfig } from '../../src/config/config.ts';
import { startRelay } from '../../src/main.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { isStopMessage, peakRssBytes, snapshot, type WorkerMessage } from '../lib/worker-protocol.ts';

function send(message: WorkerMessage): void {
  process.send?.(message);
}

async function total<T extends string>(counter: Counter<T>): Promise<number> {
  const { values } = await counter.get();
  return values.reduce((sum, entry) => sum + entry.value, 0);
}

try {
  const loaded = loadConfig(process.env);
  if (!loaded.ok) throw new Error(`relay config: ${JSON.stringify(loaded.problems)}`);
  const config = loaded.config;
  const logger = createLogger({ level: config.log.level });
  const relay = await startRelay(config, { logger });
  send({ kind: 'ready', snapshot: snapshot() });
  const sampler = setInterval(
    () => send({ kind: 'sample', snapshot: snapshot() }),
    Number(process.env['BENCH_SAMPLE_MS'] ?? 1_000),
  );
  let stopRequested = false;
  // A benchmark that dies (an exception, Ctrl-C) closes the IPC channel: stop rather than run on orphaned.
  process.on('disconnect', () => {
    if (stopRequested) return;
    clearInterval(sampler);
    void relay.stop().finally(() => process.exit(1));
  });
  process.on('message', (message: unknown) => {
    if (!isStopMessage(message) || stopRequested) return;
    stopRequested = true;
    clearInterval(sampler);
    void (async () => {
      const stopped = snapshot();
      let shutdownProblem: string | undefined;
      try {
        await relay.stop();
      } catch (error) {
        shutdownProblem = error instanceof Error ? error.message : String(error);
      }
      send({
        ...(shutdownProblem === undefined ? {} : { shutdownProblem }),
        kind: 'done',
        snapshot: stopped,
        peakRssBytes: peakRssBytes(),
        counters: {
          recordsConsumed: await total(relay.metrics.recordsConsumed),
          requestsProjected: await total(relay.metrics.requestsProjected),
          deadLetters: await total(relay.metrics.deadLetters),
          klaviyoRequests: await total(relay.metrics.klaviyoRequests),
          transactions: await total(relay.metrics.transactions),
          retries: await total(relay.metrics.retries),
        },
      });
      process.disconnect?.();
    })().catch((error: unknown) => {
      send({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
      process.exitCode = 1;
      process.disconnect?.();
    });
  });
} catch (error) {
  send({ kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exitCode = 1;
  process.disconnect?.();
}
