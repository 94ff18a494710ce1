/**
 * Builds avsc types for decoding untrusted bytes. avsc trusts an array or map block count: a corrupt
 * count of 2^31 makes it loop that many times reading past the end of the buffer, which hangs the
 * consumer. Every array item and map entry in a valid body takes at least one byte, so a count larger
 * than the bytes left is corrupt; the guarded readers stop there and leave the tap invalid, which the
 * decoder reports as CORRUPT_AVRO. (An array of `null`s, zero bytes per item, is therefore not
 * supported in our schemas.)
 */
import avro from 'avsc';

/** The parts of avsc's internal Tap and types that the guards use (not in avsc's public typings). */
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

/*
 * avsc freezes its types, so the guards are subclasses chosen by `typeHook` when the type is built. A
 * resolver for an array or map copies the reader's `_read` (ArrayType._update), so resolved reads are
 * guarded too; writer types are built here as well, so skipping fields a reader lacks is guarded.
 */
class GuardedArrayType extends avro.types.ArrayType {
  _read(this: { itemsType: ItemReader }, tap: Tap): unknown[] {
    const items = this.itemsType;
    const values: unknown[] = [];
    for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
      while (count-- > 0) values.push(items._read(tap));
    }
    return values;
  }

  _skip(this: { itemsType: ItemReader }, tap: Tap): void {
    const items = this.itemsType;
    for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
      while (count-- > 0) items._skip(tap);
    }
  }
}

class GuardedMapType extends avro.types.MapType {
  _read(this: { valuesType: ItemReader }, tap: Tap): Record<string, unknown> {
    const values = this.valuesType;
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

  _skip(this: { valuesType: ItemReader }, tap: Tap): void {
    const values = this.valuesType;
    for (let count = readBlockCount(tap); count > 0; count = readBlockCount(tap)) {
      while (count-- > 0) {
        readString(tap);
        values._skip(tap);
      }
    }
  }
}

/**
 * Strings. Decoding each of the ~60 short strings of an order with its own Buffer#utf8Slice call was a
 * third of decode time (a native call each). An ASCII string's bytes are the same in Latin-1, so the body
 * is turned into one Latin-1 JS string, once per decode and only when a string is read, and each ASCII
 * string is a slice of it (no native call); any string with a non-ASCII byte is decoded as UTF-8.
 */
class AsciiSliceStringType extends avro.types.StringType {
  _read(tap: Tap & { latin1?: string }): string {
    const length = tap.readLong();
    const bytes = tap.buf;
    const start = tap.pos;
    const end = start + length;
    if (length < 0 || end > bytes.length) {
      tap.pos = bytes.length + 1;
      return '';
    }
    tap.pos = end;
    for (let index = start; index < end; index += 1) {
      if (bytes[index]! > 0x7f) return bytes.toString('utf8', start, end);
    }
    tap.latin1 ??= bytes.toString('latin1', 0, bytes.length);
    return tap.latin1.slice(start, end);
  }
}

function guardedTypes(schema: avro.Schema, options: avro.ForSchemaOptions): avro.Type | undefined {
  if (schema === 'string') return new AsciiSliceStringType();
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || avro.Type.isType(schema))
    return undefined;
  const kind = (schema as { type?: unknown }).type;
  if (kind === 'string') return new AsciiSliceStringType();
  if (kind === 'array') return new GuardedArrayType(schema, options);
  if (kind === 'map') return new GuardedMapType(schema, options);
  return undefined;
}

export function createReaderType(schema: avro.Schema): avro.Type {
  return avro.Type.forSchema(schema, { wrapUnions: 'auto', omitRecordMethods: true, typeHook: guardedTypes });
}

/** Parses a writer schema from the registry (JSON text) into a guarded type. Throws on invalid schemas. */
export function parseWriterType(schemaText: string): avro.Type {
  return createReaderType(JSON.parse(schemaText) as avro.Schema);
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
