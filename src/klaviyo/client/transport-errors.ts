/**
 * Maps what can go wrong below HTTP (undici's stable `UND_ERR_*` codes and Node's socket errnos) to the
 * relay's codes. Pure. An error undici raises locally, before anything goes on the wire, for an argument it
 * refuses (an API key with a newline makes an invalid authorization header) will be raised again for every
 * request: it halts delivery as a 401 does, never retried as a network error. Anything unknown is a
 * NETWORK_ERROR: retried, never dead-lettered.
 */
import { RelayError } from '../../errors.ts';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** undici's codes for a request it refuses to send as asked: the same request fails the same way again. */
const LOCAL_REFUSAL_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'UND_ERR_INVALID_RETURN_VALUE']);

export function transportError(operation: string, error: unknown): RelayError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && LOCAL_REFUSAL_CODES.has(code)) {
    // undici's message names the header, never its value: safe to log.
    return new RelayError('HTTP_CLIENT_REFUSED', `the HTTP client refused Klaviyo ${operation}: ${message} (${code})`, {
      detail: { operation, transportCode: code },
      cause: error,
    });
  }
  if (code !== undefined && TIMEOUT_CODES.has(code)) {
    return new RelayError('TIMEOUT', `Klaviyo ${operation} timed out (${code})`, {
      detail: { operation, transportCode: code },
      cause: error,
    });
  }
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new RelayError('KLAVIYO_UNAVAILABLE', `Klaviyo ${operation} answered with an oversized body`, {
      detail: { operation, transportCode: code },
      cause: error,
    });
  }
  return new RelayError('NETWORK_ERROR', `Klaviyo ${operation} failed: ${message}`, {
    detail: { operation, transportCode: code ?? 'unknown' },
    cause: error,
  });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined ? undefined : errorCode(cause);
}
