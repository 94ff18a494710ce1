/**
 * Reads the registry for the dlq commands: the record name behind a schema id (for `--type` and stats on
 * Avro dead letters) and the decoded value (for `show`). Lookups are cached; a registry that cannot answer
 * leaves the type as `schema:<id>` instead of failing the listing.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Config } from '../config/config.ts';
import type { SchemaNameLookup } from './record-view.ts';

export interface SchemaReader {
  /** Resolves the names of these schema ids (cached), then answers synchronously. */
  prepare(schemaIds: Iterable<number>): Promise<SchemaNameLookup>;
  decode(value: Buffer): Promise<unknown>;
}

export function createSchemaReader(config: Config): SchemaReader {
  const registry = new SchemaRegistry({
    host: config.registry.url,
    ...(config.registry.auth ? { auth: config.registry.auth } : {}),
  });
  const names = new Map<number, string | undefined>();
  return {
    async prepare(schemaIds) {
      for (const id of new Set(schemaIds)) {
        if (names.has(id)) continue;
        try {
          const schema = await registry.getSchema(id);
          names.set(id, 'name' in schema && typeof schema.name === 'string' ? schema.name : undefined);
        } catch {
          names.set(id, undefined);
        }
      }
      return (id) => names.get(id);
    },
    async decode(value) {
      return (await registry.decode(value)) as unknown;
    },
  };
}
