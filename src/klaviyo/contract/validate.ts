/**
 * Validates Klaviyo requests against Klaviyo's own OpenAPI slices. One ajv validator is compiled per
 * (operation, mode), lazily, and reused. Two modes:
 *  - `as-published`: the spec as is. The sandbox uses it, so it rejects exactly what Klaviyo's spec rejects.
 *  - `closed`: every object that declares properties rejects undeclared keys. Tests of our own request
 *    builders use it: a key Klaviyo's schema does not define is a bug of ours, even if Klaviyo ignores it.
 *
 * After the schema, the rules Klaviyo states only in prose (documented-rules.ts) are checked too.
 * Violations name where they are: a JSON pointer into the body (as Klaviyo's `errors[].source.pointer`)
 * or the header parameter (as Klaviyo's `errors[].source.parameter`).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { documentedRuleViolations } from './documented-rules.ts';
import type { OperationId } from './operations.ts';
import { loadSlice, type OperationSlice } from './slices.ts';
import { toJsonSchemaMap, type ContractMode } from './to-json-schema.ts';

export type { ContractMode } from './to-json-schema.ts';

export type ContractViolation =
  | { readonly in: 'body'; readonly pointer: string; readonly message: string }
  | { readonly in: 'header'; readonly parameter: string; readonly message: string };

export type ContractResult =
  { readonly ok: true } | { readonly ok: false; readonly errors: readonly ContractViolation[] };

export interface RequestToValidate {
  readonly body?: unknown;
  /** Header names are matched case-insensitively. Omit to skip header checks (body-only contract tests). */
  readonly headers?: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Epoch ms Klaviyo receives it (an event's time may be at most a year after). Default: now. */
  readonly receivedAt?: number;
}

/**
 * Klaviyo documents the revision format in prose ("YYYY-MM-DD[.suffix]") rather than as a schema pattern;
 * this is that prose as a pattern, so a malformed revision is a 400 naming `revision`, as Klaviyo answers.
 */
export const REVISION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

const validators = new Map<string, ValidateFunction>();

export function validateRequest(
  operationId: OperationId,
  request: RequestToValidate,
  mode: ContractMode = 'as-published',
): ContractResult {
  const slice = loadSlice(operationId);
  const errors: ContractViolation[] = [];
  if (request.headers !== undefined) errors.push(...headerViolations(slice, request.headers));
  if (slice.bodySchemaRef !== undefined) {
    const validate = validatorFor(slice, mode);
    if (!validate(request.body)) errors.push(...bodyViolations(validate.errors ?? []));
    else {
      const ruleViolations = documentedRuleViolations(operationId, request.body, request.receivedAt);
      errors.push(...ruleViolations.map((violation) => ({ in: 'body' as const, ...violation })));
    }
  }
  return errors.length === 0 ? { ok: true } : { ok: false, errors };
}

/** Human-readable one-liner for logs and test failures: `/data/attributes/metric: is required; …`. */
export function formatViolations(errors: readonly ContractViolation[]): string {
  return errors
    .map((error) =>
      error.in === 'body' ? `${error.pointer || '/'}: ${error.message}` : `header ${error.parameter}: ${error.message}`,
    )
    .join('; ');
}

function validatorFor(slice: OperationSlice, mode: ContractMode): ValidateFunction {
  const key = `${slice.operationId}:${mode}`;
  const cached = validators.get(key);
  if (cached) return cached;
  // strict: false because OpenAPI keeps keywords ajv does not know (`components` as a container, `format`s
  // of its own); allErrors so one 400 names every problem, as Klaviyo's does for several fields.
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile({
    components: { schemas: toJsonSchemaMap(slice.componentSchemas, mode) },
    $ref: slice.bodySchemaRef,
  });
  validators.set(key, validate);
  return validate;
}

function headerViolations(
  slice: OperationSlice,
  headers: Readonly<Record<string, string | readonly string[] | undefined>>,
): ContractViolation[] {
  const lowerCased = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  const violations: ContractViolation[] = [];
  for (const parameter of slice.headers) {
    const raw = lowerCased.get(parameter.name);
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value === '') {
      if (parameter.required) violations.push({ in: 'header', parameter: parameter.name, message: 'is required' });
    } else if (parameter.name === 'revision' && typeof value === 'string' && !REVISION_PATTERN.test(value)) {
      violations.push({
        in: 'header',
        parameter: 'revision',
        message: `must have the format YYYY-MM-DD[.suffix], got "${value}"`,
      });
    }
  }
  return violations;
}

function bodyViolations(errors: readonly ErrorObject[]): ContractViolation[] {
  // anyOf errors only say "none of the branches matched"; the branch errors beside them are the useful ones.
  const specific = errors.filter((error) => error.keyword !== 'anyOf');
  const chosen = specific.length > 0 ? specific : errors;
  const seen = new Set<string>();
  const violations: ContractViolation[] = [];
  for (const error of chosen) {
    const violation = toViolation(error);
    const key = `${violation.pointer}|${violation.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    violations.push(violation);
  }
  return violations;
}

function toViolation(error: ErrorObject): { in: 'body'; pointer: string; message: string } {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return {
      in: 'body',
      pointer: `${error.instancePath}/${escapePointer(params.missingProperty)}`,
      message: 'is required',
    };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return {
      in: 'body',
      pointer: `${error.instancePath}/${escapePointer(params.additionalProperty)}`,
      message: 'is not defined by the schema',
    };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return {
      in: 'body',
      pointer: error.instancePath,
      message: `must be one of ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`,
    };
  }
  return { in: 'body', pointer: error.instancePath, message: error.message ?? error.keyword };
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
