/**
 * From schema files to governed events: each event schema with its subject (TopicRecordNameStrategy,
 * `<topic>-<namespace.RecordName>`) and the compatibility level our policy wants for it.
 */
import { DEFAULT_TOPICS } from '../../domain/topics.ts';
import type { CompatibilityLevel } from '../compat/levels.ts';
import { parseSchemaText, type ParsedSchema } from '../compat/parse-schema.ts';
import { levelFor, type GovernanceConfig } from '../config/governance-config.ts';
import type { SchemaFile } from './schema-file.ts';

export interface EventSchema {
  readonly file: string;
  /** Simple record name, e.g. `OrderPlaced` (the event type). */
  readonly eventType: string;
  readonly fullName: string;
  readonly topic: string;
  readonly subject: string;
  readonly level: CompatibilityLevel;
  readonly text: string;
  readonly schema: ParsedSchema;
}

export interface EventSchemaProblem {
  readonly file: string;
  readonly message: string;
}

export interface EventSchemas {
  readonly events: readonly EventSchema[];
  readonly problems: readonly EventSchemaProblem[];
}

export function topicOf(fullName: string, name: string, config: GovernanceConfig): string | undefined {
  const overridden = config.topics[fullName];
  if (overridden !== undefined) return overridden;
  return Object.hasOwn(DEFAULT_TOPICS, name) ? DEFAULT_TOPICS[name as keyof typeof DEFAULT_TOPICS] : undefined;
}

export function subjectOf(topic: string, fullName: string): string {
  return `${topic}-${fullName}`;
}

export function toEventSchemas(files: readonly SchemaFile[], config: GovernanceConfig): EventSchemas {
  const events: EventSchema[] = [];
  const problems: EventSchemaProblem[] = [];
  for (const file of files) {
    const parsed = parseSchemaText(file.text);
    if (!parsed.ok) {
      problems.push({ file: file.path, message: parsed.message });
      continue;
    }
    const root = parsed.schema.root;
    if (root.kind !== 'record') {
      problems.push({ file: file.path, message: 'the top-level type is not a record' });
      continue;
    }
    const topic = topicOf(root.fullName, root.name, config);
    if (topic === undefined) {
      problems.push({
        file: file.path,
        message: `no topic for ${root.fullName}: add it to src/domain/topics.ts or to "topics" in compatibility.json`,
      });
      continue;
    }
    const subject = subjectOf(topic, root.fullName);
    events.push({
      file: file.path,
      eventType: root.name,
      fullName: root.fullName,
      topic,
      subject,
      level: levelFor(config, subject),
      text: file.text,
      schema: parsed.schema,
    });
  }
  return { events, problems };
}
