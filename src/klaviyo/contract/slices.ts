/**
 * Loads Klaviyo's OpenAPI slices (openapi/klaviyo, vendored unchanged from Klaviyo's public repository) and
 * reads from them what the relay needs: the request-body schema, the header parameters and the
 * `x-klaviyo-ratelimit` of each operation. The files are read once per process and cached.
 */
import { readFileSync } from 'node:fs';
import { OPERATIONS, type OperationId } from './operations.ts';

export type JsonObject = { [key: string]: unknown };

export interface HeaderParameter {
  readonly name: string;
  readonly required: boolean;
  /** Prose format from the parameter's description, e.g. `YYYY-MM-DD[.suffix]` for `revision`. */
  readonly description: string;
}

export interface RateLimitSpec {
  readonly perSecond: number;
  readonly perMinute: number;
}

export interface OperationSlice {
  readonly operationId: OperationId;
  /** `components.schemas` of the slice, against which `#/components/schemas/...` refs resolve. */
  readonly componentSchemas: JsonObject;
  /** `$ref` of the request body schema (`application/vnd.api+json`), if the operation takes a body. */
  readonly bodySchemaRef: string | undefined;
  readonly headers: readonly HeaderParameter[];
  readonly rateLimit: RateLimitSpec;
  readonly revision: string;
}

const SLICE_DIRECTORY = new URL('../../../openapi/klaviyo/', import.meta.url);
const cache = new Map<OperationId, OperationSlice>();

export function loadSlice(operationId: OperationId): OperationSlice {
  const cached = cache.get(operationId);
  if (cached) return cached;
  const document: unknown = JSON.parse(readFileSync(new URL(`${operationId}.json`, SLICE_DIRECTORY), 'utf8'));
  const slice = readSlice(operationId, document);
  cache.set(operationId, slice);
  return slice;
}

/** Pure: extracts an OperationSlice from a parsed OpenAPI document, failing loudly if the shape is unexpected. */
export function readSlice(operationId: OperationId, document: unknown): OperationSlice {
  const row = OPERATIONS[operationId];
  const root = asObject(document, 'document');
  const pathItem = asObject(asObject(root.paths, 'paths')[row.path], `paths.${row.path}`);
  const operation = asObject(pathItem[row.method.toLowerCase()], `${row.method} ${row.path}`);
  if (operation.operationId !== operationId) {
    throw new Error(`slice ${operationId}.json describes ${String(operation.operationId)}, not ${operationId}`);
  }
  const components = asObject(root.components, 'components');
  const parameters = Array.isArray(operation.parameters) ? operation.parameters : [];
  const headers = parameters
    .map((parameter) => asObject(parameter, 'parameter'))
    .filter((parameter) => parameter.in === 'header')
    .map((parameter) => ({
      name: String(parameter.name).toLowerCase(),
      required: parameter.required === true,
      description: typeof parameter.description === 'string' ? parameter.description : '',
    }));
  return {
    operationId,
    componentSchemas: asObject(components.schemas, 'components.schemas'),
    bodySchemaRef: bodyRef(operation),
    headers,
    rateLimit: parseRateLimit(asObject(operation['x-klaviyo-ratelimit'], 'x-klaviyo-ratelimit')),
    revision: String(asObject(root.info, 'info').version),
  };
}

function bodyRef(operation: JsonObject): string | undefined {
  if (operation.requestBody === undefined) return undefined;
  const content = asObject(asObject(operation.requestBody, 'requestBody').content, 'requestBody.content');
  const schema = asObject(asObject(content['application/vnd.api+json'], 'vnd.api+json').schema, 'schema');
  if (typeof schema.$ref !== 'string') throw new Error('request body schema is not a $ref');
  return schema.$ref;
}

/** `{ burst: '350/s', steady: '3500/m' }` → `{ perSecond: 350, perMinute: 3500 }`. */
export function parseRateLimit(spec: JsonObject): RateLimitSpec {
  return { perSecond: parseRate(spec.burst, 's'), perMinute: parseRate(spec.steady, 'm') };
}

function parseRate(value: unknown, unit: 's' | 'm'): number {
  const match = typeof value === 'string' ? /^(\d+)\/([sm])$/.exec(value) : null;
  if (!match || match[2] !== unit) throw new Error(`unexpected x-klaviyo-ratelimit value ${String(value)}`);
  return Number(match[1]);
}

function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`OpenAPI slice: ${what} is not an object`);
  }
  return value as JsonObject;
}
