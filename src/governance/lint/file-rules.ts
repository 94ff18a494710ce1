/**
 * The per-file lint rules. Each is a pure function of one parsed schema and its path, returning
 * findings with a rule id, the JSON path and a one-line fix a schema author can apply as written.
 */
import type { AvroNode, FieldNode, RecordNode } from '../compat/avro-model.ts';
import type { ParsedSchema } from '../compat/parse-schema.ts';
import { baseNameOf, domainFolderOf } from '../source/schema-file.ts';
import type { LintFinding, RuleId } from './finding.ts';
import { visitSchema, type SchemaVisits } from './walk.ts';

export interface FileContext {
  readonly file: string;
  readonly schema: ParsedSchema;
  readonly event: RecordNode;
  readonly visits: SchemaVisits;
}

type FileRule = (context: FileContext) => LintFinding[];

export const NAMESPACE_ROOT = 'com.klaviyorelay';
const NAMESPACE = /^com\.klaviyorelay\.[a-z][a-z0-9]*$/;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;
const CAMEL_CASE = /^[a-z][A-Za-z0-9]*$/;
/** Field names that hold money: they must be minor units, never floating point. */
const MONEY_NAME = /(amount|price|total|cost|fee|tax|revenue|balance|value)(Minor)?$/i;

export function fileContext(file: string, schema: ParsedSchema): FileContext | LintFinding {
  if (schema.root.kind !== 'record') {
    return finding(
      'event/top-level-record',
      file,
      '$',
      'the top-level type is not a record',
      'wrap the event in a record named like the file',
    );
  }
  return { file, schema, event: schema.root, visits: visitSchema(schema.root) };
}

export function finding(ruleId: RuleId, file: string, jsonPath: string, message: string, fix: string): LintFinding {
  return { ruleId, file, jsonPath, message, fix };
}

const namespaces: FileRule = ({ file, event, visits }) => {
  const findings = visits.namedTypes
    .filter((type) => type.namespace === undefined || !NAMESPACE.test(type.namespace))
    .map((type) =>
      finding(
        'naming/namespace',
        file,
        type.jsonPath,
        `${type.fullName} is not in a ${NAMESPACE_ROOT}.<domain> namespace`,
        `set "namespace": "${NAMESPACE_ROOT}.${domainFolderOf(file) ?? 'common'}"`,
      ),
    );
  const folder = domainFolderOf(file);
  if (folder !== undefined && event.namespace !== undefined && event.namespace !== `${NAMESPACE_ROOT}.${folder}`) {
    findings.push(
      finding(
        'naming/namespace',
        file,
        `${event.jsonPath}.namespace`,
        `event ${event.name} is in namespace ${event.namespace} but in folder ${folder}/`,
        `set "namespace": "${NAMESPACE_ROOT}.${folder}" or move the file to the folder of its domain`,
      ),
    );
  }
  return findings;
};

const typeNames: FileRule = ({ file, event, visits }) => {
  const findings = visits.namedTypes
    .filter((type) => !PASCAL_CASE.test(type.name))
    .map((type) =>
      finding(
        'naming/type-name',
        file,
        `${type.jsonPath}.name`,
        `type name ${type.name} is not PascalCase`,
        `rename it to ${pascal(type.name)}`,
      ),
    );
  const expected = baseNameOf(file);
  if (event.name !== expected) {
    findings.push(
      finding(
        'naming/type-name',
        file,
        `${event.jsonPath}.name`,
        `event record ${event.name} is in file ${expected}.avsc`,
        `rename the file to ${event.name}.avsc or the record to ${expected}`,
      ),
    );
  }
  return findings;
};

const fieldNames: FileRule = ({ file, visits }) =>
  visits.fields
    .filter(({ field }) => !CAMEL_CASE.test(field.name))
    .map(({ field, records }) =>
      finding(
        'naming/field-name',
        file,
        `${field.jsonPath}.name`,
        `field ${records[0]!.name}.${field.name} is not camelCase`,
        `rename it to ${camel(field.name)} (keep the old name in "aliases")`,
      ),
    );

const docs: FileRule = ({ file, visits }) => [
  ...visits.namedTypes
    .filter((type) => isBlank(type.doc))
    .map((type) =>
      finding(
        'doc/record',
        file,
        type.jsonPath,
        `${type.kind} ${type.fullName} has no doc`,
        `add "doc": "<what one ${type.name} is>"`,
      ),
    ),
  ...visits.fields
    .filter(({ field }) => isBlank(field.doc))
    .map(({ field, records }) =>
      finding(
        'doc/field',
        file,
        field.jsonPath,
        `field ${records[0]!.name}.${field.name} has no doc`,
        `add "doc": "<what ${field.name} means, with its unit or format>"`,
      ),
    ),
];

const optionals: FileRule = ({ file, visits }) =>
  visits.fields.flatMap(({ field, records }) => {
    const type = field.type;
    if (type.kind !== 'union' || !type.branches.some(isNull)) return [];
    // ["null", A, B] (a nullable variant, e.g. a changed property's value) is fine too: what matters for
    // evolution is that null comes first and is the default, so the field can be added and removed.
    const wellFormed = isNull(type.branches[0]!) && field.hasDefault && field.defaultValue === null;
    if (wellFormed) return [];
    const other = type.branches.find((branch) => !isNull(branch));
    const typeName = other === undefined ? 'T' : jsonTypeName(other);
    return [
      finding(
        'optional/null-union',
        file,
        field.jsonPath,
        `optional field ${records[0]!.name}.${field.name} is not ["null", T] with default null`,
        `write "type": ["null", ${typeName}], "default": null`,
      ),
    ];
  });

const enumDefaults: FileRule = ({ file, visits }) =>
  visits.namedTypes.flatMap((type) =>
    type.kind === 'enum' && type.default === undefined
      ? [
          finding(
            'enum/default',
            file,
            type.jsonPath,
            `enum ${type.fullName} has no default symbol`,
            // Never suggest an existing business symbol: a reader would take every unknown status for it.
            `add "default" naming a symbol that is safe for values a reader does not know (e.g. "default": "${unknownSymbol(type.symbols)}", adding that symbol if it is new)`,
          ),
        ]
      : [],
  );

const money: FileRule = ({ file, visits }) =>
  visits.fields.flatMap(({ field, records }) => {
    const base = nonNull(field.type);
    const where = `${records[0]!.name}.${field.name}`;
    if (base.kind === 'primitive' && (base.name === 'float' || base.name === 'double') && MONEY_NAME.test(field.name)) {
      return [
        finding(
          'money/minor-units',
          file,
          field.jsonPath,
          `money field ${where} is floating point`,
          `use "type": "long" in minor units and rename it to ${field.name.replace(/Minor$/, '')}Minor`,
        ),
      ];
    }
    if (!field.name.endsWith('Minor')) return [];
    if (base.kind !== 'primitive' || base.name !== 'long') {
      return [
        finding(
          'money/minor-units',
          file,
          field.jsonPath,
          `minor-unit amount ${where} is not a long`,
          `use "type": "long"`,
        ),
      ];
    }
    const hasCurrency = records.some((record) =>
      record.fields.some((other) => other.name === 'currency' && isStringLike(other.type)),
    );
    return hasCurrency
      ? []
      : [
          finding(
            'money/minor-units',
            file,
            field.jsonPath,
            `amount ${where} has no currency next to it`,
            `add a "currency" field (string, ISO 4217 code) to ${records[0]!.name} or the event record`,
          ),
        ];
  });

interface EnvelopeField {
  readonly name: string;
  readonly matches: (field: FieldNode) => boolean;
  readonly declaration: string;
}

const ENVELOPE: readonly EnvelopeField[] = [
  {
    name: 'eventId',
    matches: (field) => isPrimitive(field.type, 'string', 'uuid'),
    declaration: '{"name": "eventId", "type": {"type": "string", "logicalType": "uuid"}, "doc": "…"}',
  },
  {
    name: 'occurredAt',
    matches: (field) => isPrimitive(field.type, 'long', 'timestamp-millis'),
    declaration: '{"name": "occurredAt", "type": {"type": "long", "logicalType": "timestamp-millis"}, "doc": "…"}',
  },
  {
    name: 'source',
    matches: (field) => isPrimitive(field.type, 'string'),
    declaration: '{"name": "source", "type": "string", "doc": "…"}',
  },
  {
    name: 'correlationId',
    matches: (field) =>
      field.type.kind === 'union' &&
      field.type.branches.length === 2 &&
      isNull(field.type.branches[0]!) &&
      isPrimitive(field.type.branches[1]!, 'string') &&
      field.defaultValue === null,
    declaration: '{"name": "correlationId", "type": ["null", "string"], "default": null, "doc": "…"}',
  },
];

const envelope: FileRule = ({ file, event }) =>
  ENVELOPE.flatMap((expected) => {
    const field = event.fields.find((candidate) => candidate.name === expected.name);
    if (field === undefined) {
      return [
        finding(
          'envelope/fields',
          file,
          `${event.jsonPath}.fields`,
          `event ${event.name} has no envelope field ${expected.name}`,
          `add ${expected.declaration}`,
        ),
      ];
    }
    return expected.matches(field)
      ? []
      : [
          finding(
            'envelope/fields',
            file,
            field.jsonPath,
            `envelope field ${event.name}.${expected.name} has the wrong type`,
            `declare it as ${expected.declaration}`,
          ),
        ];
  });

export const FILE_RULES: readonly FileRule[] = [
  namespaces,
  typeNames,
  fieldNames,
  docs,
  optionals,
  enumDefaults,
  money,
  envelope,
];

/** `Unknown` in the style of the enum's own symbols (`UNKNOWN` for SCREAMING_CASE ones). */
function unknownSymbol(symbols: readonly string[]): string {
  const existing = symbols.find((symbol) => symbol.toLowerCase() === 'unknown');
  if (existing !== undefined) return existing;
  return symbols.every((symbol) => symbol === symbol.toUpperCase()) ? 'UNKNOWN' : 'Unknown';
}

function isNull(node: AvroNode): boolean {
  return node.kind === 'primitive' && node.name === 'null';
}

function nonNull(node: AvroNode): AvroNode {
  if (node.kind !== 'union') return node;
  const others = node.branches.filter((branch) => !isNull(branch));
  return others.length === 1 ? others[0]! : node;
}

function isPrimitive(node: AvroNode, name: string, logicalType?: string): boolean {
  return (
    node.kind === 'primitive' && node.name === name && (logicalType === undefined || node.logicalType === logicalType)
  );
}

function isStringLike(node: AvroNode): boolean {
  const base = nonNull(node);
  return base.kind === 'primitive' && base.name === 'string';
}

function jsonTypeName(node: AvroNode): string {
  if (node.kind === 'primitive') return `"${node.name}"`;
  if (node.kind === 'record' || node.kind === 'enum' || node.kind === 'fixed') return `"${node.fullName}"`;
  return `{"type": "${node.kind}", …}`;
}

function isBlank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}

function pascal(name: string): string {
  const words = name.split(/[_\-\s]+/).filter((word) => word !== '');
  return words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

function camel(name: string): string {
  const joined = pascal(name);
  return joined.length === 0 ? name : joined[0]!.toLowerCase() + joined.slice(1);
}
