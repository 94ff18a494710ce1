/**
 * Avro schema text → the model in avro-model.ts. avsc decides validity first (names, symbols, defaults
 * that match their types), so every schema we walk is one Avro accepts; then we build our own model
 * with JSON paths and resolved named references. Never throws: bad input is a typed result.
 */
import avro from 'avsc';
import {
  PRIMITIVES,
  type AvroNode,
  type EnumNode,
  type FieldNode,
  type FixedNode,
  type NamedNode,
  type PrimitiveName,
  type RecordNode,
} from './avro-model.ts';

export interface ParsedSchema {
  readonly root: AvroNode;
  /** Every named type declared in the schema, by full name. */
  readonly named: ReadonlyMap<string, NamedNode>;
  /** The JSON document the schema was parsed from. */
  readonly json: unknown;
}

export type ParseResult =
  { readonly ok: true; readonly schema: ParsedSchema } | { readonly ok: false; readonly message: string };

export function parseSchemaText(text: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `not valid JSON: ${errorMessage(error)}` };
  }
  return parseSchemaJson(json);
}

export function parseSchemaJson(json: unknown): ParseResult {
  try {
    avro.Type.forSchema(json as avro.Schema);
  } catch (error) {
    return { ok: false, message: `not a valid Avro schema: ${errorMessage(error)}` };
  }
  try {
    const named = new Map<string, NamedNode>();
    const root = build(json, '$', undefined, named);
    return { ok: true, schema: { root, named, json } };
  } catch (error) {
    return { ok: false, message: `not a valid Avro schema: ${errorMessage(error)}` };
  }
}

/** Full name of a declared name in an enclosing namespace (Avro spec "Names"). */
export function fullNameOf(name: string, namespace: string | undefined): string {
  if (name.includes('.')) return name;
  return namespace === undefined || namespace === '' ? name : `${namespace}.${name}`;
}

function build(
  json: unknown,
  jsonPath: string,
  namespace: string | undefined,
  named: Map<string, NamedNode>,
): AvroNode {
  if (typeof json === 'string') return reference(json, jsonPath, namespace, named);
  if (Array.isArray(json)) {
    return {
      kind: 'union',
      jsonPath,
      logicalType: undefined,
      branches: json.map((branch, index) => build(branch, `${jsonPath}[${index}]`, namespace, named)),
    };
  }
  if (typeof json !== 'object' || json === null) throw new Error(`unexpected schema at ${jsonPath}`);
  const schema = json as Record<string, unknown>;
  const logicalType = typeof schema.logicalType === 'string' ? schema.logicalType : undefined;
  const type = schema.type;
  if (typeof type === 'string' && isPrimitive(type)) return { kind: 'primitive', name: type, jsonPath, logicalType };
  switch (type) {
    case 'array':
      return {
        kind: 'array',
        jsonPath,
        logicalType,
        items: build(schema.items, `${jsonPath}.items`, namespace, named),
      };
    case 'map':
      return {
        kind: 'map',
        jsonPath,
        logicalType,
        values: build(schema.values, `${jsonPath}.values`, namespace, named),
      };
    case 'record':
    case 'error':
      return buildRecord(schema, jsonPath, namespace, named);
    case 'enum': {
      const node: EnumNode = {
        ...namedBase(schema, jsonPath, namespace, logicalType),
        kind: 'enum',
        symbols: stringArray(schema.symbols),
        default: typeof schema.default === 'string' ? schema.default : undefined,
      };
      return register(node, named);
    }
    case 'fixed': {
      const node: FixedNode = {
        ...namedBase(schema, jsonPath, namespace, logicalType),
        kind: 'fixed',
        size: typeof schema.size === 'number' ? schema.size : 0,
      };
      return register(node, named);
    }
    default:
      // `{"type": "com.acme.Money"}` and `{"type": {...}}` wrap another type.
      return build(type, `${jsonPath}.type`, namespace, named);
  }
}

function buildRecord(
  schema: Record<string, unknown>,
  jsonPath: string,
  enclosing: string | undefined,
  named: Map<string, NamedNode>,
): RecordNode {
  const base = namedBase(schema, jsonPath, enclosing, undefined);
  const fields: FieldNode[] = [];
  const node: RecordNode = { ...base, kind: 'record', fields };
  // Registered before its fields are built, so a field may refer to the record that contains it.
  register(node, named);
  const rawFields = Array.isArray(schema.fields) ? schema.fields : [];
  rawFields.forEach((raw: unknown, index) => {
    const field = raw as Record<string, unknown>;
    const fieldPath = `${jsonPath}.fields[${index}]`;
    fields.push({
      name: String(field.name),
      aliases: stringArray(field.aliases),
      doc: typeof field.doc === 'string' ? field.doc : undefined,
      hasDefault: 'default' in field,
      defaultValue: field.default,
      jsonPath: fieldPath,
      type: build(field.type, `${fieldPath}.type`, base.namespace, named),
    });
  });
  return node;
}

function namedBase(
  schema: Record<string, unknown>,
  jsonPath: string,
  enclosing: string | undefined,
  logicalType: string | undefined,
) {
  const rawName = String(schema.name);
  const explicitNamespace = typeof schema.namespace === 'string' ? schema.namespace : undefined;
  const fullName = rawName.includes('.') ? rawName : fullNameOf(rawName, explicitNamespace ?? enclosing);
  const dot = fullName.lastIndexOf('.');
  const namespace = dot < 0 ? undefined : fullName.slice(0, dot);
  return {
    jsonPath,
    logicalType,
    name: dot < 0 ? fullName : fullName.slice(dot + 1),
    namespace,
    fullName,
    // Aliases are names too: relative ones live in the type's namespace.
    aliases: stringArray(schema.aliases).map((alias) => fullNameOf(alias, namespace)),
    doc: typeof schema.doc === 'string' ? schema.doc : undefined,
  };
}

function reference(
  name: string,
  jsonPath: string,
  namespace: string | undefined,
  named: Map<string, NamedNode>,
): AvroNode {
  if (isPrimitive(name)) return { kind: 'primitive', name, jsonPath, logicalType: undefined };
  const found = named.get(fullNameOf(name, namespace)) ?? named.get(name);
  if (found === undefined) throw new Error(`unknown type ${name} at ${jsonPath}`);
  return found;
}

function register<T extends NamedNode>(node: T, named: Map<string, NamedNode>): T {
  named.set(node.fullName, node);
  return node;
}

function isPrimitive(name: string): name is PrimitiveName {
  return (PRIMITIVES as readonly string[]).includes(name);
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
