/**
 * Avro schema resolution (Avro spec, "Schema Resolution"), as a walker that reports every reason a
 * reader schema cannot read data written with a writer schema, each with the place it happens. It
 * mirrors Apache Avro's SchemaCompatibility (which is what schema registries run): names compare
 * unqualified or through the reader's aliases, logical types are ignored, a reader union accepts a writer
 * type if any branch does. Where a union has no compatible branch but does have a branch of the same
 * name or shape, we report that branch's inner problems, because "field `x` changed type" tells a reviewer
 * more than "no union branch matches".
 */
import { describeType, type AvroNode, type EnumNode, type FieldNode, type RecordNode } from './avro-model.ts';

export type IncompatibilityKind =
  /** The reader has a field the writer lacks, and the reader gives it no default. */
  | 'reader-field-missing-default'
  /** The writer's type cannot be converted to the reader's type at this place. */
  | 'type-mismatch'
  /** The writer may write enum symbols the reader does not have, and the reader enum has no default. */
  | 'missing-enum-symbols'
  /** A named type (record, enum, fixed) has a different name and the reader has no alias for it. */
  | 'name-mismatch'
  /** Both are fixed, of different sizes. */
  | 'fixed-size-mismatch'
  /** The writer's union has a branch the reader cannot read at all. */
  | 'missing-union-branch';

export interface Incompatibility {
  readonly kind: IncompatibilityKind;
  /** Where, in field terms: `lineItems[].giftMessage`; '' for the top-level type itself. */
  readonly fieldPath: string;
  /** The field concerned (last segment of the path), when the problem is about one field. */
  readonly field: string | undefined;
  readonly readerJsonPath: string;
  readonly writerJsonPath: string;
  readonly readerType: string;
  readonly writerType: string;
  /** For missing-enum-symbols: the writer's symbols the reader lacks. */
  readonly symbols: readonly string[];
  /** For name-mismatch: the reader's and writer's full names. */
  readonly readerName: string | undefined;
  readonly writerName: string | undefined;
}

/** Every reason `reader` cannot read what `writer` wrote; empty when it can. Pure and total. */
export function resolveIncompatibilities(writer: AvroNode, reader: AvroNode): readonly Incompatibility[] {
  return new Walker().check(writer, reader, '');
}

export function canRead(writer: AvroNode, reader: AvroNode): boolean {
  return resolveIncompatibilities(writer, reader).length === 0;
}

/** Numeric and text promotions the spec allows: writer type → reader types that can read it. */
const PROMOTIONS: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
  string: ['bytes'],
  bytes: ['string'],
};

class Walker {
  /** Pairs being checked further up the stack: recursive types are assumed compatible on re-entry. */
  private readonly inProgress = new Map<AvroNode, Set<AvroNode>>();

  check(writer: AvroNode, reader: AvroNode, path: string): Incompatibility[] {
    const seen = this.inProgress.get(writer) ?? new Set<AvroNode>();
    if (seen.has(reader)) return [];
    seen.add(reader);
    this.inProgress.set(writer, seen);
    try {
      return this.checkUncached(writer, reader, path);
    } finally {
      seen.delete(reader);
    }
  }

  private checkUncached(writer: AvroNode, reader: AvroNode, path: string): Incompatibility[] {
    if (writer.kind === 'union') {
      // Every branch the writer may have used must be readable.
      return writer.branches.flatMap((branch) => this.check(branch, reader, path));
    }
    if (reader.kind === 'union') return this.checkAgainstUnion(writer, reader, path);
    switch (reader.kind) {
      case 'primitive':
        if (writer.kind === 'primitive') {
          if (writer.name === reader.name || PROMOTIONS[writer.name]?.includes(reader.name) === true) return [];
        }
        return [issue('type-mismatch', writer, reader, path)];
      case 'array':
        return writer.kind === 'array'
          ? this.check(writer.items, reader.items, `${path}[]`)
          : [issue('type-mismatch', writer, reader, path)];
      case 'map':
        return writer.kind === 'map'
          ? this.check(writer.values, reader.values, `${path}{}`)
          : [issue('type-mismatch', writer, reader, path)];
      case 'fixed':
        if (writer.kind !== 'fixed') return [issue('type-mismatch', writer, reader, path)];
        if (!namesMatch(writer, reader)) return [nameIssue(writer, reader, path)];
        return writer.size === reader.size ? [] : [issue('fixed-size-mismatch', writer, reader, path)];
      case 'enum':
        if (writer.kind !== 'enum') return [issue('type-mismatch', writer, reader, path)];
        if (!namesMatch(writer, reader)) return [nameIssue(writer, reader, path)];
        return this.checkEnum(writer, reader, path);
      case 'record':
        if (writer.kind !== 'record') return [issue('type-mismatch', writer, reader, path)];
        if (!namesMatch(writer, reader)) return [nameIssue(writer, reader, path)];
        return this.checkRecord(writer, reader, path);
    }
  }

  private checkAgainstUnion(writer: AvroNode, reader: AvroNode & { kind: 'union' }, path: string): Incompatibility[] {
    const attempts = reader.branches.map((branch) => ({ branch, issues: this.check(writer, branch, path) }));
    if (attempts.some((attempt) => attempt.issues.length === 0)) return [];
    // No branch fits. If one is clearly "the same thing, changed", explain what changed inside it.
    const counterpart = attempts.find((attempt) => sameShape(writer, attempt.branch));
    if (counterpart !== undefined) return counterpart.issues;
    return [issue('missing-union-branch', writer, reader, path)];
  }

  private checkEnum(writer: EnumNode, reader: EnumNode, path: string): Incompatibility[] {
    const missing = writer.symbols.filter((symbol) => !reader.symbols.includes(symbol));
    if (missing.length === 0) return [];
    // A reader default (that is one of its own symbols) absorbs unknown symbols.
    if (reader.default !== undefined && reader.symbols.includes(reader.default)) return [];
    return [{ ...issue('missing-enum-symbols', writer, reader, path), symbols: missing }];
  }

  private checkRecord(writer: RecordNode, reader: RecordNode, path: string): Incompatibility[] {
    return reader.fields.flatMap((readerField) => {
      const fieldPath = path === '' ? readerField.name : `${path}.${readerField.name}`;
      const writerField = lookupWriterField(writer, readerField);
      if (writerField === undefined) {
        if (readerField.hasDefault) return [];
        return [
          {
            ...issue('reader-field-missing-default', writer, readerField.type, fieldPath),
            readerJsonPath: readerField.jsonPath,
            writerJsonPath: writer.jsonPath,
            writerType: '(absent)',
          },
        ];
      }
      return this.check(writerField.type, readerField.type, fieldPath);
    });
  }
}

/** The writer's field a reader field reads: same name first, then the reader field's aliases. */
export function lookupWriterField(writer: RecordNode, readerField: FieldNode): FieldNode | undefined {
  return (
    writer.fields.find((field) => field.name === readerField.name) ??
    writer.fields.find((field) => readerField.aliases.includes(field.name))
  );
}

function namesMatch(
  writer: { name: string; fullName: string },
  reader: { name: string; aliases: readonly string[] },
): boolean {
  return writer.name === reader.name || reader.aliases.includes(writer.fullName);
}

/** Same named type (by unqualified name) or same container kind: the branch a change most likely targets. */
function sameShape(writer: AvroNode, branch: AvroNode): boolean {
  if (writer.kind === 'record' || writer.kind === 'enum' || writer.kind === 'fixed') {
    return branch.kind === writer.kind && branch.name === writer.name;
  }
  return (writer.kind === 'array' || writer.kind === 'map') && branch.kind === writer.kind;
}

function lastSegment(path: string): string | undefined {
  if (path === '') return undefined;
  const segments = path.replace(/(\[\]|\{\})+$/, '').split('.');
  return segments[segments.length - 1];
}

function issue(kind: IncompatibilityKind, writer: AvroNode, reader: AvroNode, fieldPath: string): Incompatibility {
  return {
    kind,
    fieldPath,
    field: lastSegment(fieldPath),
    readerJsonPath: reader.jsonPath,
    writerJsonPath: writer.jsonPath,
    readerType: describeType(reader),
    writerType: describeType(writer),
    symbols: [],
    readerName: undefined,
    writerName: undefined,
  };
}

function nameIssue(
  writer: AvroNode & { fullName: string },
  reader: AvroNode & { fullName: string },
  path: string,
): Incompatibility {
  return { ...issue('name-mismatch', writer, reader, path), readerName: reader.fullName, writerName: writer.fullName };
}
