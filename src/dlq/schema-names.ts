/**
 * Reads the registry for the dlq commands: the record name behind a schema id (for `--type` and stats on
 * Avro dead letters) and the decoded value (for `show`). Both go through the relay's own codec: its
 * registry client and its guarded decoder, so a corrupt body (CORRUPT_AVRO dead letters, the ones most
 * often shown) comes back as a readable reason at once instead of hanging in avsc. Lookups are cached; a
 * registry that cannot answer leaves the type as `schema:<id>` instead of failing the listing.
 */
import type { Config } from '../config/config.ts';
import { createEventDecoder, createRegistryClient, type SchemaRegistry } from '../codec/index.ts';
import type { EventValidator } from '../domain/validation.ts';
import type { DeadLetterView, SchemaNameLookup } from './record-view.ts';

export interface SchemaReader {
  /** Resolves the names of these schema ids (cached), then answers synchronously. */
  prepare(schemaIds: Iterable<number>): Promise<SchemaNameLookup>;
  /** The decoded event data, or `{ decodeError }` saying why it cannot be read. Never hangs, never rejects. */
  decode(value: Buffer): Promise<unknown>;
}

/**
 * `show` displays what was dead-lettered, including events that failed validation (the headers say
 * why), so it decodes without judging: the decoder's guards still apply, the validation does not.
 */
const SHOW_AS_DECODED: EventValidator = { validate: (event) => ({ ok: true, event }) };

export function createSchemaReader(config: Config, registry: SchemaRegistry = registryOf(config)): SchemaReader {
  const decoder = createEventDecoder({ registry, validator: SHOW_AS_DECODED });
  const names = new Map<number, string | undefined>();
  return {
    async prepare(schemaIds) {
      for (const id of new Set(schemaIds)) {
        if (names.has(id)) continue;
        try {
          names.set(id, recordNameOf((await registry.getSchemaById(id)).schema));
        } catch {
          names.set(id, undefined);
        }
      }
      return (id) => names.get(id);
    },
    async decode(value) {
      try {
        const result = await decoder.decode(value);
        return result.ok ? result.event.data : { decodeError: `${result.error.code}: ${result.error.message}` };
      } catch (error) {
        return { decodeError: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}

function registryOf(config: Config): SchemaRegistry {
  return createRegistryClient({
    url: config.registry.url,
    ...(config.registry.auth ? { auth: config.registry.auth } : {}),
  });
}

/** The full name of a record schema (`identity.account.AccountCreated`), or undefined for anything else. */
function recordNameOf(schemaText: string): string | undefined {
  try {
    const schema = JSON.parse(schemaText) as { name?: unknown; namespace?: unknown };
    if (typeof schema.name !== 'string') return undefined;
    if (schema.name.includes('.') || typeof schema.namespace !== 'string' || schema.namespace === '')
      return schema.name;
    return `${schema.namespace}.${schema.name}`;
  } catch {
    return undefined;
  }
}

/** What `show` prints as the value of a dead letter: Avro bodies decoded through the guarded codec, others not. */
export function decodedValue(schemas: SchemaReader, view: DeadLetterView): Promise<unknown> {
  if (view.format !== 'avro' || view.record.value === null) return Promise.resolve(undefined);
  return schemas.decode(view.record.value);
}
