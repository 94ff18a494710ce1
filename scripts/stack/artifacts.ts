// Downloads Kafka and the schema registry from Maven Central (the only artifact source we can count on,
// here and in CI) into the cache, once. Each runtime lands in a temporary folder and is renamed into
// place when complete, so an interrupted download is redone instead of half-used.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { requireMaven } from './preflight.ts';
import { StackError } from './stack-error.ts';
import type { StackSettings } from './settings.ts';

const run = promisify(execFile);

// Pinned so the result does not depend on the Maven version's default plugin (2.8 on Maven 3.8).
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';
// For a single archive we need 2.8's `get`: with -Dtransitive=false it downloads just the file, while
// 3.x's `get` and `copy` first resolve the artifact's pom and its parent, and Central (or the mirror in
// front of it) does not serve the parent pom of every Apicurio release.
const SINGLE_FILE_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:2.8';

export type KafkaRuntime = Readonly<{ version: string; classpath: string }>;
export type RegistryRuntime = Readonly<{ version: string; directory: string; jar: string }>;

export async function ensureKafkaRuntime(settings: StackSettings, say: (line: string) => void): Promise<KafkaRuntime> {
  const { version } = settings.kafka;
  const home = path.join(settings.cacheDir, 'stack', `kafka-${version}`);
  const lib = path.join(home, 'lib');
  if (!existsSync(lib)) {
    say(`fetching Kafka ${version} and its dependencies from Maven Central (first run only)…`);
    await requireMaven(settings.mavenCommand);
    const work = `${home}.partial`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, 'pom.xml'), kafkaRuntimePom(settings));
    await maven(settings, work, [
      `${DEPENDENCY_PLUGIN}:copy-dependencies`,
      '-DincludeScope=runtime',
      `-DoutputDirectory=${path.join(work, 'lib')}`,
    ]);
    await rm(home, { recursive: true, force: true });
    await rename(work, home);
  }
  return { version, classpath: `${lib}${path.sep}*` };
}

export async function ensureRegistryRuntime(
  settings: StackSettings,
  say: (line: string) => void,
): Promise<RegistryRuntime> {
  const { version } = settings.registry;
  const directory = path.join(settings.cacheDir, 'stack', `apicurio-registry-${version}`);
  if (!existsSync(directory)) {
    say(`fetching Apicurio Registry ${version} from Maven Central (first run only, ~100 MB)…`);
    await requireMaven(settings.mavenCommand);
    const work = `${directory}.partial`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    // The distribution is the "all" tar.gz attached to the app module. A private local repository gives
    // the archive a known path (and is deleted once it is unpacked).
    const localRepository = path.join(work, 'm2');
    await maven(settings, work, [
      `${SINGLE_FILE_PLUGIN}:get`,
      `-Dartifact=io.apicurio:apicurio-registry-app:${version}:tar.gz:all`,
      '-Dtransitive=false',
      `-Dmaven.repo.local=${localRepository}`,
    ]);
    const archive = path.join(
      localRepository,
      'io/apicurio/apicurio-registry-app',
      version,
      `apicurio-registry-app-${version}-all.tar.gz`,
    );
    if (!existsSync(archive)) throw new StackError(`Maven reported success but ${archive} is missing`);
    await mkdir(path.join(work, 'app'));
    await run('tar', ['-xzf', archive, '-C', path.join(work, 'app')]);
    await rm(directory, { recursive: true, force: true });
    await rename(path.join(work, 'app'), directory);
    await rm(work, { recursive: true, force: true });
  }
  return { version, directory, jar: await registryJar(directory) };
}

/** 3.0.x ships a Quarkus "legacy jar" (*-runner.jar + lib/); 3.1 and later a "fast jar" (quarkus-run.jar). */
async function registryJar(directory: string): Promise<string> {
  const entries = await readdir(directory);
  const jar =
    entries.find((name) => name === 'quarkus-run.jar') ?? entries.find((name) => name.endsWith('-runner.jar'));
  if (jar === undefined) {
    throw new StackError(`no quarkus-run.jar or *-runner.jar in ${directory}; delete that folder to fetch it again`);
  }
  return path.join(directory, jar);
}

async function maven(settings: StackSettings, cwd: string, goals: readonly string[]): Promise<void> {
  try {
    await run(settings.mavenCommand, ['-B', '-q', '--no-transfer-progress', ...goals], {
      cwd,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const output = error !== null && typeof error === 'object' && 'stdout' in error ? String(error.stdout) : '';
    const tail = output.split('\n').filter(Boolean).slice(-25).join('\n');
    throw new StackError(
      `Maven could not fetch ${goals.find((goal) => goal.startsWith('-Dartifact=')) ?? 'the Kafka runtime'}: ` +
        `is Maven Central reachable (proxy settings in ~/.m2/settings.xml)?\n${tail}`,
    );
  }
}

/** A throwaway pom whose only job is to name Kafka's runtime classpath plus a log4j2 binding. */
function kafkaRuntimePom(settings: StackSettings): string {
  const { version, log4jVersion, slf4jVersion } = settings.kafka;
  const dependency = (groupId: string, artifactId: string, v: string): string =>
    `    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${v}</version></dependency>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by scripts/stack/artifacts.ts: Kafka's runtime classpath for the local stack. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>klaviyo-relay.local-stack</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
${dependency('org.apache.kafka', 'kafka_2.13', version)}
    <!-- Kafka's pom names slf4j-api 1.7.36; the log4j2 binding needs the 2.x API, so pin it first. -->
${dependency('org.slf4j', 'slf4j-api', slf4jVersion)}
${dependency('org.apache.logging.log4j', 'log4j-slf4j2-impl', log4jVersion)}
${dependency('org.apache.logging.log4j', 'log4j-core', log4jVersion)}
  </dependencies>
</project>
`;
}
