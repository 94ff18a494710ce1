import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { transportError } from './transport-errors.ts';

/** What undici itself throws for a header it refuses (the bad-key case), without any network. */
async function refusedByUndici(apiKey: string): Promise<unknown> {
  const pool = new Pool('http://127.0.0.1:9');
  try {
    await pool.request({ method: 'GET', path: '/', headers: { authorization: `Klaviyo-API-Key ${apiKey}` } });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await pool.close();
  }
}

describe('transportError', () => {
  it('halts on an API key undici refuses as a header (trailing newline), never retries it', async () => {
    const thrown = await refusedByUndici('pk_faultsuite0secret\n');
    const error = transportError('create_event', thrown);
    expect(error.code).toBe('HTTP_CLIENT_REFUSED');
    expect(error.action).toBe('halt');
    expect(error.detail).toMatchObject({ transportCode: 'UND_ERR_INVALID_ARG' });
    expect(error.message).not.toContain('pk_faultsuite0secret');
  });

  it('retries timeouts and socket errors', () => {
    expect(
      transportError('create_event', Object.assign(new Error('t'), { code: 'UND_ERR_HEADERS_TIMEOUT' })).code,
    ).toBe('TIMEOUT');
    const reset = transportError('create_event', Object.assign(new Error('r'), { code: 'ECONNRESET' }));
    expect([reset.code, reset.action]).toEqual(['NETWORK_ERROR', 'retry']);
  });
});
