/**
 * Kafka's own consumer benchmark, `kafka-consumer-perf-test` (the class
 * org.apache.kafka.tools.ConsumerPerformance), as an anchor for the projector's throughput. The local stack
 * fetches only the broker's runtime classpath, which does not include the `kafka-tools` module, so the
 * first benchmark run fetches that module and its runtime dependencies from Maven Central into
 * `.cache/bench/kafka-tools-<version>/lib` the way scripts/stack/artifacts.ts fetches the broker (mostly
 * from the local Maven repository, as it shares the broker's jars).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StackSettings } from '../../scripts/stack/settings.ts';
import { parseConsumerPerformance, parseGnuTime, type ConsumerPerformanceReport } from './kafka-tools-output.ts';

const run = promisify(execFile);
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

/** The classpath (`<lib>/*`) holding ConsumerPerformance for the stack's Kafka version. */
export async function ensureKafkaTools(settings: StackSettings, say: (line: string) => void): Promise<string> {
  const version = settings.kafka.version;
  const home = path.join(settings.cacheDir, 'bench', `kafka-tools-${version}`);
  const lib = path.join(home, 'lib');
  if (!existsSync(lib)) {
    say(`fetching kafka-tools ${version} (kafka-consumer-perf-test) from Maven Central (first run only)…`);
    const work = `${home}.partial`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, 'pom.xml'), toolsPom(version, settings.kafka.slf4jVersion));
    try {
      await run(
        settings.mavenCommand,
        [
          '-B',
          '-q',
          '--no-transfer-progress',
          `${DEPENDENCY_PLUGIN}:copy-dependencies`,
          '-DincludeScope=runtime',
          `-DoutputDirectory=${path.join(work, 'lib')}`,
        ],
        { cwd: work, maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      const output = error !== null && typeof error === 'object' && 'stdout' in error ? String(error.stdout) : '';
      throw new Error(`Maven could not fetch org.apache.kafka:kafka-tools:${version}:\n${output.slice(-2_000)}`, {
        cause: error,
      });
    }
    await rm(home, { recursive: true, force: true });
    await rename(work, home);
  }
  return `${lib}${path.sep}*`;
}

export interface PerfTestRun {
  readonly report: ConsumerPerformanceReport;
  /** User + system CPU seconds of the JVM, from GNU time. */
  readonly cpuSeconds: number;
  /** Peak resident set of the JVM, bytes, from GNU time. */
  readonly peakRssBytes: number;
  readonly wallSeconds: number;
}

export interface PerfTestOptions {
  readonly javaCommand: string;
  readonly classpath: string;
  readonly bootstrapServer: string;
  /** A Java regular expression naming the topics (`--include`). */
  readonly topicsPattern: string;
  readonly messages: number;
  readonly group: string;
  readonly timeoutMs: number;
}

/** Runs ConsumerPerformance under GNU time (`/usr/bin/time -f`), which measures the JVM's CPU and peak RSS. */
export async function runConsumerPerformance(options: PerfTestOptions, scratchDir: string): Promise<PerfTestRun> {
  await mkdir(scratchDir, { recursive: true });
  const timeFile = path.join(scratchDir, `perf-test-time-${process.pid}.txt`);
  const started = performance.now();
  const args = [
    '-f',
    '%U %S %M',
    '-o',
    timeFile,
    options.javaCommand,
    '-Xmx512m',
    '-cp',
    options.classpath,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    options.bootstrapServer,
    '--include',
    options.topicsPattern,
    '--num-records',
    String(options.messages),
    '--group',
    options.group,
    '--timeout',
    String(options.timeoutMs),
  ];
  const { stdout, stderr, code } = await new Promise<{ stdout: string; stderr: string; code: number | null }>(
    (resolve, reject) => {
      const child = spawn('/usr/bin/time', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ stdout: out, stderr: err, code: exitCode }));
    },
  );
  const wallSeconds = (performance.now() - started) / 1_000;
  if (code !== 0) throw new Error(`kafka-consumer-perf-test exited with ${code}:\n${stderr.slice(-2_000)}`);
  const report = parseConsumerPerformance(stdout);
  const time = parseGnuTime(await readFile(timeFile, 'utf8'));
  await rm(timeFile, { force: true });
  return { report, cpuSeconds: time.cpuSeconds, peakRssBytes: time.peakRssBytes, wallSeconds };
}

function toolsPom(version: string, slf4jVersion: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by bench/lib/kafka-tools.ts: the runtime classpath of kafka-consumer-perf-test. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>klaviyo-relay.bench</groupId>
  <artifactId>kafka-tools-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${version}</version></dependency>
    <!-- kafka-tools names slf4j-api 1.7; the 2.x no-op binding needs the 2.x API, so pin it first. -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>${slf4jVersion}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-nop</artifactId><version>${slf4jVersion}</version></dependency>
  </dependencies>
</project>
`;
}
