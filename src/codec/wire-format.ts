/**
 * Confluent wire format: magic byte 0, a 4-byte big-endian schema id, then the Avro binary body.
 * Pure; the body is a view into the input, not a copy.
 */
import { RelayError } from '../errors.ts';

export const MAGIC_BYTE = 0;
export const HEADER_BYTES = 5;

export type Framed =
  | { readonly ok: true; readonly schemaId: number; readonly body: Buffer }
  | { readonly ok: false; readonly error: RelayError };

export function unframe(bytes: Buffer | null | undefined): Framed {
  if (bytes === null || bytes === undefined) {
    return notWireFormat('record has no value (a tombstone), so it carries no event', 0);
  }
  if (bytes.length < HEADER_BYTES) {
    return notWireFormat(`record is ${bytes.length} bytes, shorter than the 5-byte Confluent header`, bytes.length);
  }
  if (bytes[0] !== MAGIC_BYTE) {
    return notWireFormat(`record starts with byte ${bytes[0]}, not the Confluent magic byte 0`, bytes.length);
  }
  return { ok: true, schemaId: bytes.readUInt32BE(1), body: bytes.subarray(HEADER_BYTES) };
}

export function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header[0] = MAGIC_BYTE;
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

function notWireFormat(message: string, length: number): Framed {
  return { ok: false, error: new RelayError('NOT_WIRE_FORMAT', message, { detail: { length } }) };
}
