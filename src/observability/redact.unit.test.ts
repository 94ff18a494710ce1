import { describe, expect, it } from 'vitest';
import { maskPii, redact, redactText, REDACTED } from './redact.ts';

describe('redact', () => {
  it('replaces secret-keyed values at any depth, whatever their spelling', () => {
    const input = {
      headers: { Authorization: 'Klaviyo-API-Key pk_abc123456789', 'x-trace': 't' },
      profile: { properties: { PasswordResetLink: 'https://shop.example/reset?token=s3cret' } },
      list: [{ api_key: 'k', password_reset_link: 'l' }],
    };
    expect(redact(input)).toEqual({
      headers: { Authorization: REDACTED, 'x-trace': 't' },
      profile: { properties: { PasswordResetLink: REDACTED } },
      list: [{ api_key: REDACTED, password_reset_link: REDACTED }],
    });
    expect(input.headers.Authorization).toBe('Klaviyo-API-Key pk_abc123456789');
  });

  it('scrubs secrets embedded in text: known values, API keys, auth headers, URL queries', () => {
    const text =
      'call with Klaviyo-API-Key abc.def failed; key pk_0123456789abcdef; link https://s.example/r?t=tok#x; my-secret-value';
    const result = redactText(text, { secrets: ['my-secret-value'] });
    expect(result).not.toMatch(/abc\.def|pk_0123456789abcdef|t=tok|my-secret-value/);
    expect(result).toContain('https://s.example/r?[REDACTED]');
  });

  it('masks personal data only when asked', () => {
    const profile = { email: 'sarah.mason@klaviyo-demo.com', phone_number: '+15005550006', first_name: 'Sarah' };
    expect(redact(profile)).toEqual(profile);
    expect(redact(profile, { maskPii: true })).toEqual({
      email: 's***@klaviyo-demo.com',
      phone_number: '+1******0006',
      first_name: 'Sarah',
    });
    expect(maskPii('abc')).toBe('***');
  });

  it('survives cycles, errors and buffers', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    expect(redact(cyclic)).toEqual({ name: 'x', self: '[Circular]' });
    expect(redact(new Error('token at https://a.example/x?token=1'))).toMatchObject({
      type: 'Error',
      message: 'token at https://a.example/x?[REDACTED]',
    });
    expect(redact({ body: Buffer.from('secret bytes') })).toEqual({ body: '[12 bytes]' });
  });
});

describe('redact, issue 16', () => {
  it('copies an object referenced twice instead of calling it a cycle', () => {
    const properties = { plan: 'gold', city: 'Boston' };
    const event = { NewValues: properties, profile: { properties } };
    expect(redact(event)).toEqual({ NewValues: properties, profile: { properties } });
    const nested: Record<string, unknown> = { a: { b: {} } };
    (nested.a as { b: Record<string, unknown> }).b.back = nested.a;
    expect(redact(nested)).toEqual({ a: { b: { back: '[Circular]' } } });
  });

  it('scrubs credentials inside URLs and API keys with underscores', () => {
    const text =
      'registry http://alice:pw0rd@registry.internal:8081/apis and sasl://bob@k:9092 key pk_secret_probe_123456';
    const result = redactText(text);
    expect(result).not.toMatch(/alice|pw0rd|bob@|pk_secret_probe_123456/);
    expect(result).toContain('http://[REDACTED]@registry.internal:8081/apis');
  });

  it('cuts off a hostile depth instead of overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let index = 0; index < 100_000; index += 1) deep = [deep];
    expect(() => redact(deep)).not.toThrow();
  });
});
