/**
 * Domain events from JSON, for the produce CLI and tests: a single document, an array, or JSON lines;
 * each either `{ "type": "OrderPlaced", "data": {...} }` or the bare data with the type given apart.
 * Absent optional fields become null (their Avro default); unknown fields and values that do not fit
 * the schema are problems naming the line and the field. Pure.
 */
import avro from 'avsc';
import { DOMAIN_EVENT_TYPES, isDomainEventType, type DomainEvent, type DomainEventType } from '../domain/events.ts';
import { readerTypes } from './reader-types.ts';

export type ParsedEvents =
  | { readonly ok: true; readonly events: readonly DomainEvent[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/** One document of the input: its event, or why it is not one (naming where it is and the field). */
export type ParsedDocument =
  | { readonly where: string; readonly ok: true; readonly event: DomainEvent }
  | { readonly where: string; readonly ok: false; readonly eventType: string; readonly message: string };

/** The input split into documents, each parsed on its own; `problems` when the text is not JSON at all. */
export type ParsedDocuments =
  | { readonly ok: true; readonly documents: readonly ParsedDocument[] }
  | { readonly ok: false; readonly problems: readonly string[] };

interface Document {
  /** Where the document came from, for messages: `line 3`, `item 2`, or `input`. */
  readonly where: string;
  readonly value: unknown;
}

/** Every event of the input, or every problem (all or nothing: what `produce` sends). */
export function parseEventDocuments(text: string, type?: DomainEventType): ParsedEvents {
  const parsed = parseEachEventDocument(text, type);
  if (!parsed.ok) return parsed;
  const events: DomainEvent[] = [];
  const problems: string[] = [];
  for (const document of parsed.documents) {
    if (document.ok) events.push(document.event);
    else problems.push(`${document.where}: ${document.message}`);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}

/** Each document of the input on its own (what `project` reports per event). */
export function parseEachEventDocument(text: string, type?: DomainEventType): ParsedDocuments {
  const documents = splitDocuments(text);
  if (!documents.ok) return documents;
  if (documents.values.length === 0) return { ok: false, problems: ['input holds no events'] };
  return {
    ok: true,
    documents: documents.values.map((document): ParsedDocument => {
      const result = toEvent(document, type);
      if (typeof result !== 'string') return { where: document.where, ok: true, event: result };
      const record = document.value as { type?: unknown } | null;
      const eventType = typeof record?.type === 'string' ? record.type : (type ?? '(unknown)');
      return { where: document.where, ok: false, eventType, message: result };
    }),
  };
}

function splitDocuments(
  text: string,
): { readonly ok: true; readonly values: readonly Document[] } | { readonly ok: false; readonly problems: string[] } {
  let wholeError: unknown;
  try {
    const whole: unknown = JSON.parse(text);
    if (Array.isArray(whole))
      return { ok: true, values: whole.map((value, index) => ({ where: `item ${index + 1}`, value })) };
    return { ok: true, values: [{ where: 'input', value: whole }] };
  } catch (error) {
    // Not one JSON document: read it as JSON lines.
    wholeError = error;
  }
  const values: Document[] = [];
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      values.push({ where: `line ${index + 1}`, value: JSON.parse(line) as unknown });
    } catch (error) {
      problems.push(`line ${index + 1}: not JSON (${messageOf(error)})`);
    }
  });
  // A pretty-printed document with a mistake is not JSON lines whose first line is `{`: say where the
  // document breaks (JSON.parse names the line and column), not that line 1 is not JSON.
  const filled = lines.filter((line) => line.trim() !== '');
  if (filled.length > 1 && problems[0]?.startsWith(`line ${lines.indexOf(filled[0]!) + 1}:`) === true)
    return { ok: false, problems: [`input is not JSON: ${messageOf(wholeError)}`] };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function toEvent(document: Document, typeOption: DomainEventType | undefined): DomainEvent | string {
  const { value } = document;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'expected a JSON object';
  const record = value as Record<string, unknown>;
  const wrapped = 'type' in record && 'data' in record && Object.keys(record).length === 2;
  const type = wrapped ? record.type : typeOption;
  if (type === undefined) return 'no event type: give --type or use the {"type": ..., "data": ...} shape';
  if (!isDomainEventType(type))
    return `unknown event type ${JSON.stringify(type)} (one of ${DOMAIN_EVENT_TYPES.join(', ')})`;
  if (wrapped && typeOption !== undefined && type !== typeOption) return `holds a ${type}, but --type is ${typeOption}`;
  const data = wrapped ? record.data : record;
  const avroType = readerTypes()[type];
  const paths: string[] = [];
  const valid = avroType.isValid(data, {
    noUndeclaredFields: true,
    errorHook: (path, fieldValue, fieldType) => paths.push(describeMismatch(path, fieldValue, fieldType)),
  });
  if (!valid) return `${type} does not fit its schema: ${paths.slice(0, 10).join('; ')}`;
  // clone() fills absent optional fields with their defaults (null, [] or {}), as the decoder would see them.
  return { type, data: JSON.parse(JSON.stringify(avroType.clone(data))) } as DomainEvent;
}

function describeMismatch(path: readonly string[], value: unknown, type: avro.Type): string {
  const field = path.length === 0 ? '(the event)' : path.join('.');
  if (value === undefined) return `${field} is missing`;
  if (type instanceof avro.types.RecordType && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const known = new Set(type.fields.map((member) => member.name));
    const unknown = Object.keys(value).filter((key) => !known.has(key));
    const prefix = path.length === 0 ? '' : `${field}.`;
    if (unknown.length > 0) return `unknown field ${unknown.map((key) => prefix + key).join(', ')}`;
  }
  const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  return `${field} must be ${type.typeName === 'union:unwrapped' ? 'one of ' : ''}${describeType(type)}, not ${kind}`;
}

function describeType(type: avro.Type): string {
  if (type instanceof avro.types.UnwrappedUnionType) return type.types.map(describeType).join(' | ');
  return type.name ?? type.typeName;
}
