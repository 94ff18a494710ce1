/** Schema directories for the governance integration tests: lint-clean events in a namespace of their own. */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const doc = 'test field';

export const ENVELOPE = [
  { name: 'eventId', type: { type: 'string', logicalType: 'uuid' }, doc },
  { name: 'occurredAt', type: { type: 'long', logicalType: 'timestamp-millis' }, doc },
  { name: 'source', type: 'string', doc },
  { name: 'correlationId', type: ['null', 'string'], default: null, doc },
];

export interface SchemaDir {
  readonly dir: string;
  readonly namespace: string;
  readonly topic: string;
  subject(name: string): string;
  /** Writes (or overwrites) the event `name` with the envelope plus `fields`. */
  write(name: string, fields: readonly object[]): Promise<void>;
  /** Writes compatibility.json with per-subject levels. */
  levels(subjects: Readonly<Record<string, string>>): Promise<void>;
}

export async function createSchemaDir(run: string, names: readonly string[]): Promise<SchemaDir> {
  const root = await mkdtemp(path.join(tmpdir(), 'relay-governance-'));
  const domain = `gov${run}`;
  const dir = path.join(root, 'schemas');
  await mkdir(path.join(dir, domain), { recursive: true });
  const namespace = `com.klaviyorelay.${domain}`;
  const topic = `governance.${run}.events`;
  const topics = Object.fromEntries(names.map((name) => [`${namespace}.${name}`, topic]));
  const levels = async (subjects: Readonly<Record<string, string>>) => {
    await writeFile(
      path.join(dir, 'compatibility.json'),
      JSON.stringify({ default: 'FULL_TRANSITIVE', subjects, topics }, null, 2),
    );
  };
  await levels({});
  return {
    dir,
    namespace,
    topic,
    subject: (name) => `${topic}-${namespace}.${name}`,
    write: (name, fields) =>
      writeFile(
        path.join(dir, domain, `${name}.avsc`),
        JSON.stringify(
          { type: 'record', name, namespace, doc: 'test event', fields: [...ENVELOPE, ...fields] },
          null,
          2,
        ),
      ),
    levels,
  };
}

export const field = (name: string, type: unknown, extra: object = {}) => ({ name, type, doc, ...extra });
export const optional = (name: string, type: unknown = 'string') => field(name, ['null', type], { default: null });
