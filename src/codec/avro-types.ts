/**
 * Builds avsc types for decoding untrusted bytes. avsc trusts an array or map block count: a corrupt
 * count of 2^31 makes it loop that many times reading past the end of the buffer, which hangs the
 * consumer. Every array item and map entry in a valid body takes at least one byte, so a count larger
 * than the bytes left is corrupt; the guarded readers stop there and leave the tap invalid, which the
 * decoder reports as CORRUPT_AVRO. (An array of `null`s, zero bytes per item, is therefore not
 * supported in our schemas.)
 */
import avro from 'avsc';

/** The parts of avsc's internal Tap and Type that the guards use (not in avsc's public typings). */
interface Tap {
  buf: Buffer;
  pos: number;
  readLong(): number;
  skipLong(): void;
}
interface ItemReader {
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}
interface ArrayLikeInternals {
  itemsType?: ItemReader;
  valuesType?: ItemReader;
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}

export function createReaderType(schema: avro.Schema): avro.Type {
  const type = avro.Type.forSchema(schema, { wrapUnions: 'auto' });
  guardBlockCounts(type, new Set());
  return type;
}

/** Parses a writer schema from the registry (JSON text) into a guarded type. Throws on invalid schemas. */
export function parseWriterType(schemaText: string): avro.Type {
  return createReaderType(JSON.parse(schemaText) as avro.Schema);
}

function guardBlockCounts(type: avro.Type, seen: Set<avro.Type>): void {
  if (seen.has(type)) return;
  seen.add(type);
  if (type instanceof avro.types.RecordType) {
    for (const field of type.fields) guardBlockCounts(field.type, seen);
  } else if (type instanceof avro.types.UnwrappedUnionType || type instanceof avro.types.WrappedUnionType) {
    for (const branch of type.types) guardBlockCounts(branch, seen);
  } else if (type instanceof avro.types.ArrayType) {
    guardBlockCounts(type.itemsType, seen);
    const internals = type as unknown as ArrayLikeInternals;
    internals._read = readArray;
    internals._skip = skipArray;
  } else if (type instanceof avro.types.MapType) {
    guardBlockCounts(type.valuesType, seen);
    const internals = type as unknown as ArrayLikeInternals;
    internals._read = readMap;
    internals._skip = skipMap;
  }
}

/** Reads a block count; returns 0 (end) and invalidates the tap when the count cannot be honest. */
function readBlockCount(tap: Tap): number {
  let count = tap.readLong();
  if (count < 0) {
    count = -count;
    tap.skipLong(); // block size in bytes, only used for skipping
  }
  if (count > tap.buf.length - tap.pos) {
    tap.pos = tap.buf.length + 1;
    return 0;
  }
  return count;
}

// `this` is the array type, or a resolver that avsc gave this same function (ArrayType._update copies
// `_read` and sets `itemsType` on the resolver), so both direct and resolved reads are guarded.
function readArray(this: ArrayLikeInternals, tap: Tap): unknown[] {
  const items = this.itemsType!;
  const values: unknown[] = [];
  for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
    while (count-- > 0) values.push(items._read(tap));
  }
  return values;
}

function skipArray(this: ArrayLikeInternals, tap: Tap): void {
  const items = this.itemsType!;
  for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
    while (count-- > 0) items._skip(tap);
  }
}

function readMap(this: ArrayLikeInternals, tap: Tap): Record<string, unknown> {
  const values = this.valuesType!;
  const result: Record<string, unknown> = {};
  for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
    while (count-- > 0) {
      const key = readString(tap);
      // A key like `__proto__` must become an own property, never the prototype.
      Object.defineProperty(result, key, {
        value: values._read(tap),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return result;
}

function skipMap(this: ArrayLikeInternals, tap: Tap): void {
  const values = this.valuesType!;
  for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
    while (count-- > 0) {
      readString(tap);
      values._skip(tap);
    }
  }
}

function readString(tap: Tap): string {
  const length = tap.readLong();
  if (length < 0 || tap.pos + length > tap.buf.length) {
    tap.pos = tap.buf.length + 1;
    return '';
  }
  const start = tap.pos;
  tap.pos += length;
  return tap.buf.toString('utf8', start, tap.pos);
}
