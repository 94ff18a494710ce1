/** What a figure was measured on: every result file carries it, with the load average at the time. */
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { BenchStack } from './stack.ts';

export interface MachineInfo {
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly kafka: string;
  readonly registry: string;
  /** 1, 5 and 15 minute load averages: other work on a shared machine makes figures noisy. */
  readonly loadAverage: readonly number[];
}

export function machineInfo(stack: Pick<BenchStack, 'kafkaVersion' | 'registryVersion'>): MachineInfo {
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
    kafka: stack.kafkaVersion,
    registry: stack.registryVersion,
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

export function describeMachine(machine: MachineInfo): string {
  return (
    `${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
    `${machine.kafka}, ${machine.registry}, load average ${machine.loadAverage.join(' ')}`
  );
}
