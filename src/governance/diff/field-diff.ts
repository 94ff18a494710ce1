/**
 * Field-level diff of two versions of an event schema, for `schemas diff`: which fields were added,
 * removed, renamed (through aliases) or changed (type, default, doc, enum symbols), at any depth.
 * Both schemas are flattened to `fieldPath → description`, then compared. Pure.
 */
import { describeType, type AvroNode, type FieldNode } from '../compat/avro-model.ts';

export interface FlatField {
  readonly path: string;
  readonly type: string;
  readonly hasDefault: boolean;
  readonly defaultValue: unknown;
  readonly doc: string | undefined;
  readonly aliases: readonly string[];
  readonly symbols: readonly string[];
  readonly enumDefault: string | undefined;
}

export type FieldChange =
  | { readonly kind: 'added'; readonly path: string; readonly after: FlatField }
  | { readonly kind: 'removed'; readonly path: string; readonly before: FlatField }
  | { readonly kind: 'renamed'; readonly path: string; readonly from: string; readonly after: FlatField }
  | { readonly kind: 'changed'; readonly path: string; readonly what: readonly string[] };

export function flattenFields(root: AvroNode): Map<string, FlatField> {
  const fields = new Map<string, FlatField>();
  const active = new Set<AvroNode>();
  const walk = (node: AvroNode, prefix: string): void => {
    if (active.has(node)) return; // recursive type: its fields were listed where it first appeared
    active.add(node);
    if (node.kind === 'record') for (const field of node.fields) add(field, prefix);
    else if (node.kind === 'array') walk(node.items, `${prefix}[]`);
    else if (node.kind === 'map') walk(node.values, `${prefix}{}`);
    else if (node.kind === 'union') for (const branch of node.branches) walk(branch, prefix);
    active.delete(node);
  };
  const add = (field: FieldNode, prefix: string): void => {
    const path = prefix === '' ? field.name : `${prefix}.${field.name}`;
    const enumType = findEnum(field.type);
    fields.set(path, {
      path,
      type: describeType(field.type),
      hasDefault: field.hasDefault,
      defaultValue: field.defaultValue,
      doc: field.doc,
      aliases: field.aliases,
      symbols: enumType?.symbols ?? [],
      enumDefault: enumType?.default,
    });
    walk(field.type, path);
  };
  walk(root, '');
  return fields;
}

export function diffSchemas(before: AvroNode, after: AvroNode): FieldChange[] {
  const old = flattenFields(before);
  const now = flattenFields(after);
  const changes: FieldChange[] = [];
  const renamedFrom = new Set<string>();
  for (const [path, field] of now) {
    const previous = old.get(path);
    if (previous !== undefined) {
      const what = compare(previous, field);
      if (what.length > 0) changes.push({ kind: 'changed', path, what });
      continue;
    }
    const parent = path.includes('.') ? path.slice(0, path.lastIndexOf('.') + 1) : '';
    const alias = field.aliases
      .map((name) => `${parent}${name}`)
      .find((candidate) => old.has(candidate) && !now.has(candidate));
    if (alias !== undefined) {
      renamedFrom.add(alias);
      changes.push({ kind: 'renamed', path, from: alias, after: field });
    } else changes.push({ kind: 'added', path, after: field });
  }
  for (const [path, field] of old) {
    if (!now.has(path) && !renamedFrom.has(path) && ![...renamedFrom].some((from) => path.startsWith(`${from}.`))) {
      changes.push({ kind: 'removed', path, before: field });
    }
  }
  return changes;
}

function compare(before: FlatField, after: FlatField): string[] {
  const what: string[] = [];
  if (before.type !== after.type) what.push(`type ${before.type} → ${after.type}`);
  if (
    before.hasDefault !== after.hasDefault ||
    JSON.stringify(before.defaultValue) !== JSON.stringify(after.defaultValue)
  ) {
    what.push(`default ${showDefault(before)} → ${showDefault(after)}`);
  }
  const added = after.symbols.filter((symbol) => !before.symbols.includes(symbol));
  const removed = before.symbols.filter((symbol) => !after.symbols.includes(symbol));
  if (added.length > 0) what.push(`symbols added: ${added.join(', ')}`);
  if (removed.length > 0) what.push(`symbols removed: ${removed.join(', ')}`);
  if (before.enumDefault !== after.enumDefault)
    what.push(`enum default ${before.enumDefault ?? '(none)'} → ${after.enumDefault ?? '(none)'}`);
  if (before.doc !== after.doc) what.push('doc changed');
  return what;
}

function showDefault(field: FlatField): string {
  return field.hasDefault ? JSON.stringify(field.defaultValue) : '(none)';
}

function findEnum(node: AvroNode): (AvroNode & { kind: 'enum' }) | undefined {
  if (node.kind === 'enum') return node;
  if (node.kind === 'union') return node.branches.map(findEnum).find((found) => found !== undefined);
  return undefined;
}

/** Reviewer-readable lines, one per change. */
export function formatChanges(changes: readonly FieldChange[]): string[] {
  return changes.map((change) => {
    switch (change.kind) {
      case 'added':
        return `+ ${change.path}: ${change.after.type}${change.after.hasDefault ? ` (default ${JSON.stringify(change.after.defaultValue)})` : ' (no default)'}`;
      case 'removed':
        return `- ${change.path}: ${change.before.type}`;
      case 'renamed':
        return `~ ${change.from} → ${change.path} (alias)`;
      case 'changed':
        return `~ ${change.path}: ${change.what.join('; ')}`;
    }
  });
}
