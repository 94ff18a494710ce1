/**
 * Visits every named type and field of a parsed schema once, with the records that enclose it, so
 * rules can ask "is there a currency field around this amount?" without their own traversal.
 */
import type { AvroNode, FieldNode, NamedNode, RecordNode } from '../compat/avro-model.ts';

export interface FieldVisit {
  readonly field: FieldNode;
  /** The record declaring the field, then its enclosing records outwards. */
  readonly records: readonly RecordNode[];
}

export interface SchemaVisits {
  readonly namedTypes: readonly NamedNode[];
  readonly fields: readonly FieldVisit[];
}

export function visitSchema(root: AvroNode): SchemaVisits {
  const namedTypes: NamedNode[] = [];
  const fields: FieldVisit[] = [];
  const seen = new Set<AvroNode>();
  const visit = (node: AvroNode, enclosing: readonly RecordNode[]): void => {
    if (seen.has(node)) return;
    seen.add(node);
    switch (node.kind) {
      case 'record': {
        namedTypes.push(node);
        const records = [node, ...enclosing];
        for (const field of node.fields) {
          fields.push({ field, records });
          visit(field.type, records);
        }
        return;
      }
      case 'enum':
      case 'fixed':
        namedTypes.push(node);
        return;
      case 'array':
        return visit(node.items, enclosing);
      case 'map':
        return visit(node.values, enclosing);
      case 'union':
        for (const branch of node.branches) visit(branch, enclosing);
        return;
      case 'primitive':
        return;
    }
  };
  visit(root, []);
  return { namedTypes, fields };
}
