/**
 * Turns a resolution failure into what a reviewer needs: what changed, who breaks, how to fix it.
 * In the backward direction the new schema is the reader of data written with an earlier version; in
 * the forward direction an earlier version is the reader of data the new schema writes.
 */
import type { Direction } from './levels.ts';
import type { Incompatibility } from './resolve.ts';

export interface Explanation {
  /** One line: which field, which change. */
  readonly change: string;
  /** Which readers or writers break. */
  readonly impact: string;
  /** How to make the change compatible. */
  readonly fix: string;
}

/** Avro's widening conversions, for telling a one-way widening from an arbitrary type change. */
const WIDENINGS: Readonly<Record<string, readonly string[]>> = {
  int: ['long', 'float', 'double'],
  long: ['float', 'double'],
  float: ['double'],
};

export function explain(incompatibility: Incompatibility, direction: Direction, against: string): Explanation {
  const where = incompatibility.fieldPath === '' ? 'the event record' : `field \`${incompatibility.fieldPath}\``;
  const name = incompatibility.fieldPath === '' ? 'the record' : `\`${incompatibility.fieldPath}\``;
  const impact =
    direction === 'backward'
      ? `consumers upgraded to the new schema cannot read records already written with ${against}`
      : `consumers still on ${against} cannot read records written with the new schema`;
  // Types as old → new, whichever side is reader here.
  const oldType = direction === 'backward' ? incompatibility.writerType : incompatibility.readerType;
  const newType = direction === 'backward' ? incompatibility.readerType : incompatibility.writerType;

  switch (incompatibility.kind) {
    case 'reader-field-missing-default':
      return direction === 'backward'
        ? {
            change: `new field \`${incompatibility.fieldPath}\` (${newType}) has no default`,
            impact: `${impact}: they have no value for it`,
            fix: `add a default to new field \`${incompatibility.fieldPath}\` (for an optional field: type ["null", ${bare(newType)}] with "default": null)`,
          }
        : {
            change: `field \`${incompatibility.fieldPath}\` (${oldType}) was removed or renamed, and ${against} declares it without a default`,
            impact: `${impact}: they require a value for it`,
            fix: `keep field \`${incompatibility.fieldPath}\` (mark it deprecated in its doc); a field can only be removed once every registered version gives it a default`,
          };
    case 'type-mismatch': {
      const widening = WIDENINGS[bare(oldType)]?.includes(bare(newType)) === true;
      return {
        change: `${where} changed type from ${oldType} to ${newType}`,
        impact,
        fix: widening
          ? `widening ${bare(oldType)} to ${bare(newType)} is readable only by upgraded consumers; keep ${name} as ${oldType} and add a new field of type ${newType} with a default, or set this subject's level to BACKWARD`
          : `keep ${name} as ${oldType}; add a new field with the new type and a default, and deprecate the old one`,
      };
    }
    case 'missing-enum-symbols': {
      const symbols = incompatibility.symbols.map((symbol) => `\`${symbol}\``).join(', ');
      return direction === 'backward'
        ? {
            change: `enum at ${where} (${newType}) no longer has symbol${plural(incompatibility.symbols)} ${symbols}`,
            impact: `${impact} that hold ${symbols}`,
            fix: `keep symbol${plural(incompatibility.symbols)} ${symbols} in the enum, or give the enum a "default" symbol that unknown symbols are read as`,
          }
        : {
            change: `enum at ${where} (${newType}) has symbol${plural(incompatibility.symbols)} ${symbols} unknown to ${against}, whose enum has no default`,
            impact: `${impact} that hold ${symbols}`,
            fix: `first register a version whose enum declares a "default" symbol (that change is compatible), then add ${symbols}; renaming a symbol is removing one and adding another`,
          };
    }
    case 'name-mismatch': {
      const oldName = direction === 'backward' ? incompatibility.writerName : incompatibility.readerName;
      const newName = direction === 'backward' ? incompatibility.readerName : incompatibility.writerName;
      return {
        change: `${where}: type renamed from ${oldName ?? '?'} to ${newName ?? '?'}`,
        impact,
        fix:
          direction === 'backward'
            ? `keep the name ${oldName ?? ''}, or add "aliases": ["${oldName ?? ''}"] to the renamed type`
            : `keep the name ${oldName ?? ''}: earlier readers cannot learn an alias, so a named type cannot be renamed under FORWARD compatibility`,
      };
    }
    case 'fixed-size-mismatch':
      return {
        change: `${where} changed fixed size (${oldType} → ${newType})`,
        impact,
        fix: `keep the size of ${name}; add a new field for the new size with a default`,
      };
    case 'missing-union-branch':
      return direction === 'backward'
        ? {
            change: `${where} no longer accepts ${oldType} (now ${newType})`,
            impact: `${impact} that hold a ${bare(oldType)} value`,
            fix: `keep ${bare(oldType)} as a branch of the type of ${name}`,
          }
        : {
            change: `${where} may now hold ${newType}, which ${against} (${oldType}) cannot read`,
            impact,
            fix: `do not widen ${name}; add a new optional field (["null", …] with "default": null) for the new values`,
          };
  }
}

/** `long (timestamp-millis)` → `long`; `record a.B` → `a.B`. */
function bare(type: string): string {
  return type.replace(/ \(.*\)$/, '').replace(/^(record|enum|fixed) /, '');
}

function plural(items: readonly unknown[]): string {
  return items.length === 1 ? '' : 's';
}
