/**
 * OpenAPI 3.0 schema objects are almost JSON Schema; the difference that matters for validation is
 * `nullable`, which JSON Schema spells as a `null` type. This pure pre-transform turns a slice's
 * `components.schemas` into plain JSON Schema (draft-07) that ajv validates without OpenAPI extensions.
 *
 * In `closed` mode every object schema that declares `properties` also gets `additionalProperties: false`:
 * a key Klaviyo's schema does not define is then an error (our bug), while free-form maps (event
 * `properties`, profile `properties`, `append`…), which declare no `properties`, stay open.
 */
import type { JsonObject } from './slices.ts';

export type ContractMode = 'as-published' | 'closed';

/** Keywords that only document; dropped so that ajv's strict mode has nothing to complain about. */
const DOCUMENTATION_KEYWORDS = new Set(['example', 'examples', 'description', 'externalDocs', 'xml', 'deprecated']);

export function toJsonSchema(schema: unknown, mode: ContractMode): unknown {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, mode));
  if (typeof schema !== 'object' || schema === null) return schema;
  const source = schema as JsonObject;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'nullable' || DOCUMENTATION_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    // `properties` and `definitions`-like maps hold schemas keyed by name: transform each value, not the map.
    result[key] = key === 'properties' ? mapValues(value, mode) : toJsonSchema(value, mode);
  }
  if (mode === 'closed' && isObjectWithDeclaredProperties(source) && source.additionalProperties === undefined) {
    result.additionalProperties = false;
  }
  return source.nullable === true ? allowNull(result) : result;
}

/** Transforms every schema of a `components.schemas` map. */
export function toJsonSchemaMap(schemas: JsonObject, mode: ContractMode): JsonObject {
  const result: JsonObject = {};
  for (const [name, schema] of Object.entries(schemas)) result[name] = toJsonSchema(schema, mode);
  return result;
}

function mapValues(value: unknown, mode: ContractMode): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const result: JsonObject = {};
  for (const [name, child] of Object.entries(value)) result[name] = toJsonSchema(child, mode);
  return result;
}

function isObjectWithDeclaredProperties(schema: JsonObject): boolean {
  return schema.type === 'object' && typeof schema.properties === 'object' && schema.properties !== null;
}

/**
 * `nullable: true` admits null in addition to whatever the schema admits. With a single `type` that is a
 * type union (clear error messages); otherwise (a `$ref`, a `oneOf`) the schema is wrapped in an anyOf.
 */
function allowNull(schema: JsonObject): JsonObject {
  if (typeof schema.type === 'string' && schema.$ref === undefined && schema.oneOf === undefined) {
    const withNull: JsonObject = { ...schema, type: [schema.type, 'null'] };
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) withNull.enum = [...schema.enum, null];
    return withNull;
  }
  return { anyOf: [schema, { type: 'null' }] };
}
