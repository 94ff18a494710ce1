/** One lint finding: which rule, where (file + JSON path into it), what is wrong and the one-line fix. */
export interface LintFinding {
  readonly ruleId: RuleId;
  readonly file: string;
  readonly jsonPath: string;
  readonly message: string;
  readonly fix: string;
}

/** Every rule the linter has; `schemas lint --help` and docs list them from here. */
export const RULES = {
  'avro/parse': 'the file is JSON and a valid Avro schema',
  'event/top-level-record': 'the top-level type of an event schema is a record',
  'naming/namespace': 'namespaces are com.klaviyorelay.<domain>, the event in the folder of its domain',
  'naming/type-name': 'named types are PascalCase; the event record is named like its file',
  'naming/field-name': 'field names are camelCase',
  'doc/record': 'every record, enum and fixed has a doc',
  'doc/field': 'every field has a doc',
  'optional/null-union': 'optional fields are ["null", T] (null first) with "default": null',
  'enum/default': 'enums declare a default symbol, so new symbols do not break old readers',
  'money/minor-units': 'money is an integer (long) in minor units next to an ISO 4217 currency',
  'envelope/fields': 'events carry eventId (uuid), occurredAt (timestamp-millis), source, correlationId (optional)',
  'names/unique': 'event names are unique; a shared named type has one definition everywhere',
} as const;

export type RuleId = keyof typeof RULES;
