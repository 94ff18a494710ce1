/**
 * Maps what can go wrong below HTTP (undici's stable `UND_ERR_*` codes and Node's socket errnos) to the
 * relay's codes. Pure. Anything unknown is a NETWORK_ERROR: retried, never dead-lettered.
 */
import { RelayError } from '../../errors.ts';

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

export function transportError(operation: string, error: unknown): RelayError {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
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
