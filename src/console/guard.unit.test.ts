import { describe, expect, it } from 'vitest';
import { allowedHosts, createGuard, parseCookies, SESSION_COOKIE, type RequestFacts } from './guard.ts';

const TOKEN = 'the-console-token-0123456789';
const hosts = allowedHosts('127.0.0.1', 8090);

function facts(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return {
    method: 'POST',
    host: '127.0.0.1:8090',
    origin: 'http://127.0.0.1:8090',
    secFetchSite: 'same-origin',
    cookie: undefined,
    ...overrides,
  };
}

describe('the console guard', () => {
  it('answers to the loopback names of its own port only (no DNS rebinding)', () => {
    const guard = createGuard({ token: TOKEN, hosts });
    expect(hosts).toEqual(['127.0.0.1:8090', 'localhost:8090', '[::1]:8090']);
    expect(guard.checkHost(facts({ host: 'localhost:8090' }))).toEqual({ ok: true });
    expect(guard.checkHost(facts({ host: 'evil.example:8090' }))).toMatchObject({ ok: false, status: 400 });
    expect(guard.checkHost(facts({ host: '127.0.0.1:9999' }))).toMatchObject({ ok: false });
    expect(guard.checkHost(facts({ host: undefined }))).toMatchObject({ ok: false });
  });

  it('opens a session for the token only', () => {
    const guard = createGuard({ token: TOKEN, hosts });
    expect(guard.signIn('wrong')).toBeUndefined();
    expect(guard.signIn(`${TOKEN}x`)).toBeUndefined();
    const session = guard.signIn(` ${TOKEN} `);
    expect(session).toMatch(/^[\w-]{32}$/);
    expect(guard.session(`a=b; ${SESSION_COOKIE}=${session ?? ''}`)).toBe(session);
    expect(guard.session(`${SESSION_COOKIE}=forged`)).toBeUndefined();
    guard.signOut(session);
    expect(guard.session(`${SESSION_COOKIE}=${session ?? ''}`)).toBeUndefined();
  });

  it('lets a change through with a session, its CSRF token and our own origin', () => {
    const guard = createGuard({ token: TOKEN, hosts });
    const session = guard.signIn(TOKEN) ?? '';
    const cookie = `${SESSION_COOKIE}=${session}`;
    const csrf = guard.csrfFor(session);
    expect(guard.checkChange(facts({ cookie }), csrf)).toEqual({ ok: true });
    // Browsers that send neither header (older ones, curl) still need session and CSRF token.
    expect(guard.checkChange(facts({ cookie, origin: undefined, secFetchSite: undefined }), csrf)).toEqual({
      ok: true,
    });
  });

  it('refuses a change without a session, with a forged or foreign CSRF token, or from another site', () => {
    const guard = createGuard({ token: TOKEN, hosts });
    const session = guard.signIn(TOKEN) ?? '';
    const other = guard.signIn(TOKEN) ?? '';
    const cookie = `${SESSION_COOKIE}=${session}`;
    const csrf = guard.csrfFor(session);
    expect(guard.checkChange(facts(), csrf)).toMatchObject({ ok: false, status: 401 });
    expect(guard.checkChange(facts({ cookie }), undefined)).toMatchObject({ ok: false, status: 403 });
    expect(guard.checkChange(facts({ cookie }), guard.csrfFor(other))).toMatchObject({ ok: false, status: 403 });
    expect(guard.checkChange(facts({ cookie, secFetchSite: 'cross-site' }), csrf)).toMatchObject({
      ok: false,
      status: 403,
      reason: expect.stringMatching(/cross-site/),
    });
    expect(guard.checkChange(facts({ cookie, secFetchSite: 'same-site' }), csrf)).toMatchObject({ ok: false });
    expect(guard.checkChange(facts({ cookie, origin: 'http://evil.example' }), csrf)).toMatchObject({ ok: false });
    expect(guard.checkChange(facts({ cookie, origin: 'null' }), csrf)).toMatchObject({ ok: false });
    expect(guard.checkChange(facts({ cookie, method: 'GET' }), csrf)).toMatchObject({ ok: false, status: 400 });
  });

  it('a second console (another key) does not accept the first one’s CSRF tokens', () => {
    const first = createGuard({ token: TOKEN, hosts });
    const second = createGuard({ token: TOKEN, hosts });
    const session = first.signIn(TOKEN) ?? '';
    expect(first.csrfFor(session)).not.toBe(second.csrfFor(session));
  });

  it('parses cookies', () => {
    expect([...parseCookies('a=1; b=two=2;  c=3')]).toEqual([
      ['a', '1'],
      ['b', 'two=2'],
      ['c', '3'],
    ]);
    expect(parseCookies(undefined).size).toBe(0);
  });

  it('answers to the named host when bound to one', () => {
    expect(allowedHosts('relay-ops.internal', 80)).toEqual(['relay-ops.internal:80']);
    expect(allowedHosts('::1', 8090)).toContain('[::1]:8090');
  });
});
