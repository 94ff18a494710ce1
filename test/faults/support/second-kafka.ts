// A second, private Kafka node for the broker-restart scenario, so that stopping a broker never disturbs
// the shared one other test runs on this machine use. Built with the local stack's own functions
// (scripts/stack) on other ports and its own state folder, .stack/faults-broker/. The shared schema
// registry is used as it is: it only stores schemas.
import { mkdir, readFile } from 'node:fs/promises';
import { ensureKafkaRuntime } from '../../../scripts/stack/artifacts.ts';
import { startKafka, waitForKafka } from '../../../scripts/stack/kafka-node.ts';
import { forgetPidRecord, launch, stopProcess, type PidRecord } from '../../../scripts/stack/processes.ts';
import { kafkaBootstrap, readStackSettings, type StackSettings } from '../../../scripts/stack/settings.ts';

export interface SecondKafka {
  readonly brokers: string;
  /** Controlled shutdown (SIGTERM), keeping its data. */
  stop(): Promise<void>;
  /** Starts the same node again on the same data and waits until it answers. */
  restart(): Promise<void>;
  /** Stops it for good. */
  close(): Promise<void>;
}

export async function startSecondKafka(port = 19_092): Promise<SecondKafka> {
  const settings: StackSettings = readStackSettings({
    ...process.env,
    // Beside the shared stack's state, which git, Prettier and ESLint already ignore.
    STACK_STATE_DIR: '.stack/faults-broker',
    STACK_KAFKA_PORT: String(port),
    STACK_KAFKA_CONTROLLER_PORT: String(port + 1),
    STACK_KAFKA_HEAP: '512m',
  });
  await mkdir(settings.logsDir, { recursive: true });
  const runtime = await ensureKafkaRuntime(settings, () => undefined);
  let record: PidRecord | undefined = await startKafka(settings, runtime);
  await waitForKafka(settings, record, settings.startTimeoutMs);
  // startKafka formats fresh storage on every call; a restart must keep the data, so it relaunches the
  // very command line the first start used (from /proc), minus the stack's marker, which launch() adds.
  const commandLine = (await readFile(`/proc/${record.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  const [command, , ...args] = commandLine;
  if (command === undefined || commandLine[1] !== record.marker) throw new Error('unexpected Kafka command line');
  const launched = record;
  return {
    brokers: kafkaBootstrap(settings),
    async stop() {
      if (record !== undefined) await stopProcess(record, 30_000);
      record = undefined;
    },
    async restart() {
      record = await launch({
        component: 'kafka',
        stateDir: settings.stateDir,
        command,
        args,
        cwd: `${settings.stateDir}/kafka`,
        log: launched.log,
        version: launched.version,
        ports: launched.ports,
      });
      await waitForKafka(settings, record, settings.startTimeoutMs);
    },
    async close() {
      if (record !== undefined) await stopProcess(record, 30_000);
      record = undefined;
      await forgetPidRecord(settings.stateDir, 'kafka');
    },
  };
}
