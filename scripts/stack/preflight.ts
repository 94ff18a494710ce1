// Checks that turn "java: not found" or a silent bind failure deep in a JVM log into one clear sentence
// before anything starts.
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

import { StackError } from './stack-error.ts';

const run = promisify(execFile);

/** Returns the Java major version; throws a StackError when Java is missing or older than `minimum`. */
export async function requireJava(javaCommand: string, minimum: number): Promise<number> {
  let banner: string;
  try {
    // `java -version` prints to stderr on every JDK we know of.
    const { stdout, stderr } = await run(javaCommand, ['-version']);
    banner = `${stderr}${stdout}`;
  } catch (error) {
    throw new StackError(
      `Java ${minimum}+ is needed to run Kafka and the schema registry, but "${javaCommand} -version" failed ` +
        `(${describe(error)}). Install a JDK (e.g. apt-get install openjdk-17-jre-headless) or set STACK_JAVA / JAVA_HOME.`,
    );
  }
  const match = /version "(?:1\.)?(\d+)/.exec(banner);
  const major = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  if (!(major >= minimum)) {
    throw new StackError(
      `Java ${minimum}+ is needed; "${javaCommand} -version" says: ${banner.split('\n')[0] ?? banner}`,
    );
  }
  return major;
}

export async function requireMaven(mavenCommand: string): Promise<void> {
  try {
    await run(mavenCommand, ['--version']);
  } catch (error) {
    throw new StackError(
      `Maven is needed once, to download Kafka and the schema registry from Maven Central into the cache, but ` +
        `"${mavenCommand} --version" failed (${describe(error)}). Install Maven 3.8+ or set STACK_MVN.`,
    );
  }
}

/** True when nothing listens on host:port (we can bind it ourselves). */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

export async function requirePortFree(host: string, port: number, what: string, envName: string): Promise<void> {
  if (await isPortFree(host, port)) return;
  throw new StackError(
    `${what} cannot start: ${host}:${port} is already in use by a process that stack:up did not start` +
      `${await listenerHint(port)}. Stop that process, or pick another port with ${envName}=<port>.`,
  );
}

/** Best effort: name the process holding the port (Linux `ss`); empty when unknown. */
async function listenerHint(port: number): Promise<string> {
  try {
    const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]);
    const owner = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    return owner ? ` (${owner[1]}, pid ${owner[2]})` : '';
  } catch {
    return '';
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
