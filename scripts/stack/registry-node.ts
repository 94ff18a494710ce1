// Apicurio Registry (a Quarkus app) with in-memory H2 storage, serving the Confluent Schema Registry
// API at /apis/ccompat/v7 — the API our codec and @kafkajs/confluent-schema-registry speak.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { RegistryRuntime } from './artifacts.ts';
import { tailOf } from './logs.ts';
import { describe } from './preflight.ts';
import { StackError } from './stack-error.ts';
import { isOurs, launch, sleep } from './processes.ts';
import type { PidRecord } from './processes.ts';
import { registryUrl } from './settings.ts';
import type { StackSettings } from './settings.ts';

/**
 * Settings that make Apicurio's ccompat API behave like Confluent's where our code can tell:
 * - use-canonical-hash: Confluent treats a re-registration that differs only in whitespace or key
 *   order as the same schema (same id, no new version); Apicurio compares raw text unless this is on.
 * - legacy-id-mode stays off: ids are then content ids, which like Confluent's ids are shared by
 *   identical schemas across subjects and resolve through GET /schemas/ids/{id}.
 */
const REGISTRY_PROPERTIES: Readonly<Record<string, string>> = {
  'apicurio.ccompat.use-canonical-hash': 'true',
  'apicurio.ccompat.legacy-id-mode.enabled': 'false',
  'apicurio.storage.kind': 'sql',
  'apicurio.storage.sql.kind': 'h2',
  // One access-log line per request would dwarf everything else during test runs.
  'quarkus.http.access-log.enabled': 'false',
};

export async function startRegistry(settings: StackSettings, runtime: RegistryRuntime): Promise<PidRecord> {
  const home = path.join(settings.stateDir, 'registry');
  await mkdir(home, { recursive: true });
  const properties = {
    ...REGISTRY_PROPERTIES,
    'quarkus.http.host': settings.host,
    'quarkus.http.port': String(settings.registry.port),
    // Quarkus may open a separate management port (9000) in some versions; keep everything on one port.
    'quarkus.management.enabled': 'false',
    'apicurio.import.work-dir': home,
    'apicurio.storage.snapshot.location': home,
  };
  return launch({
    component: 'registry',
    stateDir: settings.stateDir,
    command: settings.javaCommand,
    args: [
      `-Xmx${settings.registry.heap}`,
      '-XX:+UseSerialGC', // a small, mostly idle service: the cheapest collector is the right one
      '-XX:TieredStopAtLevel=1', // faster start-up matters more here than peak throughput
      '-Djava.awt.headless=true',
      `-Djava.io.tmpdir=${home}`,
      ...Object.entries(properties).map(([key, value]) => `-D${key}=${value}`),
      '-jar',
      runtime.jar,
    ],
    cwd: runtime.directory,
    log: path.join(settings.logsDir, 'registry.log'),
    version: runtime.version,
    ports: [settings.registry.port],
  });
}

/** Ready means the Confluent API answers: GET /subjects returns 200. */
export async function waitForRegistry(settings: StackSettings, record: PidRecord, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (!(await isOurs(record.pid, record.marker))) {
      throw new StackError(
        `the schema registry exited during start-up; end of ${record.log}:\n${await tailOf(record.log, 30)}`,
      );
    }
    const answer = await probeRegistry(settings, 2000);
    if (answer.ok) return;
    lastProblem = answer.problem;
    await sleep(500);
  }
  throw new StackError(
    `the schema registry did not answer at ${registryUrl(settings)} within ${timeoutMs} ms (${lastProblem}); see ${record.log}`,
  );
}

export type RegistryAnswer = Readonly<{ ok: true; subjects: number }> | Readonly<{ ok: false; problem: string }>;

export async function probeRegistry(settings: StackSettings, timeoutMs: number): Promise<RegistryAnswer> {
  try {
    const response = await fetch(`${registryUrl(settings)}/subjects`, { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 200) return { ok: false, problem: `HTTP ${response.status}` };
    const subjects: unknown = await response.json();
    return { ok: true, subjects: Array.isArray(subjects) ? subjects.length : 0 };
  } catch (error) {
    return { ok: false, problem: describe(error) };
  }
}
