/**
 * A small, explicit model of an Avro schema, built from its JSON form. The compatibility walker and the
 * diff need to know where every type came from (its JSON path) and to follow named references, which
 * avsc's runtime Types do not expose in a stable way; avsc still decides whether a schema parses at all
 * (see parse-schema.ts), so this model only ever sees schemas Avro itself accepts.
 */

export type PrimitiveName = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

export const PRIMITIVES: readonly PrimitiveName[] = [
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
];

interface NodeBase {
  /** JSON path of this type inside the schema document, e.g. `$.fields[2].type[1]`. */
  readonly jsonPath: string;
  readonly logicalType: string | undefined;
}

export interface PrimitiveNode extends NodeBase {
  readonly kind: 'primitive';
  readonly name: PrimitiveName;
}

export interface FieldNode {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly doc: string | undefined;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly jsonPath: string;
  /** Resolved lazily: a field may refer to the record that contains it. */
  readonly type: AvroNode;
}

interface NamedBase extends NodeBase {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly fullName: string;
  readonly aliases: readonly string[];
  readonly doc: string | undefined;
}

export interface RecordNode extends NamedBase {
  readonly kind: 'record';
  readonly fields: readonly FieldNode[];
}

export interface EnumNode extends NamedBase {
  readonly kind: 'enum';
  readonly symbols: readonly string[];
  readonly default: string | undefined;
}

export interface FixedNode extends NamedBase {
  readonly kind: 'fixed';
  readonly size: number;
}

export interface ArrayNode extends NodeBase {
  readonly kind: 'array';
  readonly items: AvroNode;
}

export interface MapNode extends NodeBase {
  readonly kind: 'map';
  readonly values: AvroNode;
}

export interface UnionNode extends NodeBase {
  readonly kind: 'union';
  readonly branches: readonly AvroNode[];
}

export type NamedNode = RecordNode | EnumNode | FixedNode;
export type AvroNode = PrimitiveNode | RecordNode | EnumNode | FixedNode | ArrayNode | MapNode | UnionNode;

/** Short human name of a type, as a reviewer would write it: `long`, `array<string>`, `union[null, string]`. */
export function describeType(node: AvroNode): string {
  switch (node.kind) {
    case 'primitive':
      return node.logicalType === undefined ? node.name : `${node.name} (${node.logicalType})`;
    case 'record':
    case 'enum':
    case 'fixed':
      return `${node.kind} ${node.fullName}`;
    case 'array':
      return `array<${describeType(node.items)}>`;
    case 'map':
      return `map<${describeType(node.values)}>`;
    case 'union':
      return `union[${node.branches.map(shortName).join(', ')}]`;
    default:
      return assertNever(node);
  }
}

/** Like describeType but names named types without their kind, for compact union listings. */
export function shortName(node: AvroNode): string {
  return node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed' ? node.fullName : describeType(node);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
