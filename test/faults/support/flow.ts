// Traffic that keeps flowing through a fault, and a sampler of what Klaviyo (the sandbox) has recorded,
// from which a scenario computes throughput before, during and after the fault.
import type { Kafka } from 'kafkajs';
import type { Sandbox } from '../../../src/sandbox/server.ts';
import { sleep } from './relay-process.ts';
import { sendRecords, type EncodedRecord } from './traffic.ts';

const TICK_MS = 250;

/** Sends `records` spread evenly over `durationMs`, in ticks of 250 ms. */
export async function sendSteadily(
  kafka: Kafka,
  topic: string,
  records: readonly EncodedRecord[],
  durationMs: number,
  onSent: (total: number) => void = () => undefined,
): Promise<void> {
  const ticks = Math.max(1, Math.floor(durationMs / TICK_MS));
  const perTick = Math.ceil(records.length / ticks);
  const started = Date.now();
  for (let tick = 0; tick * perTick < records.length; tick += 1) {
    await sendRecords(kafka, topic, records.slice(tick * perTick, (tick + 1) * perTick));
    onSent(Math.min(records.length, (tick + 1) * perTick));
    const due = started + (tick + 1) * TICK_MS;
    if (due > Date.now()) await sleep(due - Date.now());
  }
}

export interface Sampler {
  stop(): void;
  /** Klaviyo events recorded per second in [from, to) (epoch ms). */
  rate(from: number, to: number): number;
  /** Highest rate over any 2 s span in [from, to). */
  peakRate(from: number, to: number): number;
  recordedBetween(from: number, to: number): number;
  /** The first sample time at or after `from` when at least `count` events were recorded, if any. */
  firstReaching(count: number, from: number): number | undefined;
}

export function sampleRecorded(sandbox: Sandbox): Sampler {
  const samples: { at: number; count: number }[] = [{ at: Date.now(), count: sandbox.admin.store.events.length }];
  const timer = setInterval(() => samples.push({ at: Date.now(), count: sandbox.admin.store.events.length }), TICK_MS);
  const countAt = (time: number): number => {
    let count = samples[0]?.count ?? 0;
    for (const sample of samples) {
      if (sample.at > time) break;
      count = sample.count;
    }
    return count;
  };
  const recordedBetween = (from: number, to: number): number => countAt(to) - countAt(from);
  return {
    stop: () => clearInterval(timer),
    firstReaching: (count, from) => samples.find((sample) => sample.at >= from && sample.count >= count)?.at,
    recordedBetween,
    rate: (from, to) => (to > from ? Math.round((recordedBetween(from, to) * 1000) / (to - from)) : 0),
    peakRate(from, to) {
      let peak = 0;
      for (let start = from; start + 2_000 <= to; start += TICK_MS) {
        peak = Math.max(peak, recordedBetween(start, start + 2_000) / 2);
      }
      return Math.round(peak);
    },
  };
}
