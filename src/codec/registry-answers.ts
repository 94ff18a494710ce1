/**
 * What a schema registry's answers mean, for both of our clients (the codec's, governance's). Only the
 * registry's own answers are trusted: "not registered" is a 404 whose JSON body carries one of Confluent's
 * error codes 40401 (subject not found), 40402 (version not found) or 40403 (schema not found), as
 * Confluent's registry and Apicurio's ccompat API both send. A bare 404 comes from something else at that
 * URL (Apicurio's root without /apis/ccompat/v7, a proxy): a wrong base URL, never a missing schema, or a
 * misconfigured relay would dead-letter every record as UNKNOWN_SCHEMA_ID and a gate would call every
 * subject new. Pure.
 */

const NOT_REGISTERED_CODES: ReadonlySet<number> = new Set([40401, 40402, 40403]);

/** A body in the registry's error format (`{ error_code, message }`). */
export function isRegistryError(body: unknown): body is { readonly error_code: number; readonly message?: unknown } {
  return typeof body === 'object' && body !== null && typeof (body as { error_code?: unknown }).error_code === 'number';
}

/** True when the registry itself says the subject, version or schema is not registered. */
export function isNotRegistered(status: number, body: unknown): boolean {
  return status === 404 && isRegistryError(body) && NOT_REGISTERED_CODES.has(body.error_code);
}

/** Why an answer is not one of the registry's own (undefined when it is): for an error naming the URL. */
export function foreignAnswer(status: number, body: unknown, bodyIsJson: boolean, baseUrl: string): string | undefined {
  if (!bodyIsJson)
    return `answered ${status} with something that is not JSON: is ${baseUrl} the registry's Confluent-compatible API?`;
  if (status === 404 && !isRegistryError(body))
    return `answered 404 without a schema-registry error code: is ${baseUrl} the registry's Confluent-compatible API (for Apicurio, …/apis/ccompat/v7)?`;
  return undefined;
}

/** A registry answer's body: parsed JSON, or the text itself when it is not JSON (a proxy's page, a web UI). */
export function readAnswerBody(text: string): { readonly body: unknown; readonly isJson: boolean } {
  if (text === '') return { body: undefined, isJson: true };
  try {
    return { body: JSON.parse(text) as unknown, isJson: true };
  } catch {
    return { body: text, isJson: false };
  }
}
