/**
 * Who may change dead letters through the console, decided without I/O.
 *
 * - Reading needs nothing but a loopback connection and our own Host header (a page on another site that
 *   rebinds its DNS name to 127.0.0.1 sends its own name as Host, and is refused).
 * - A change (replay, park, purge) and the original bytes need a signed-in session: the operator gives the
 *   token printed at start (or RELAY_CONSOLE_TOKEN) once; the console answers with an HttpOnly,
 *   SameSite=Strict session cookie. Every change form also carries a CSRF token derived from the session
 *   (HMAC), so a cookie alone is not enough.
 * - A change must come from the console's own origin: `Sec-Fetch-Site` must be same-origin when the browser
 *   sends it, and `Origin` (when sent) must be the console's. A request naming another site is refused even
 *   with a valid session.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'relay_console_session';

export type Verdict =
  { readonly ok: true } | { readonly ok: false; readonly status: 400 | 401 | 403; readonly reason: string };

export interface RequestFacts {
  readonly method: string;
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly cookie: string | undefined;
}

export interface Guard {
  readonly token: string;
  /** Host header values this console answers to (`127.0.0.1:8090`, `localhost:8090`). */
  readonly hosts: readonly string[];
  /** Opens a session for a correct token, else undefined. */
  signIn(token: string): string | undefined;
  signOut(session: string | undefined): void;
  session(cookieHeader: string | undefined): string | undefined;
  csrfFor(session: string): string;
  /** Host check for every request. */
  checkHost(facts: RequestFacts): Verdict;
  /** Same-origin check for every state-changing request (including sign-in: no login CSRF). */
  checkOrigin(facts: RequestFacts): Verdict;
  /** Everything a change needs: host, origin, a session and its CSRF token. */
  checkChange(facts: RequestFacts, csrf: string | undefined): Verdict;
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

function equalSecrets(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index > 0) cookies.set(part.slice(0, index).trim(), part.slice(index + 1).trim());
  }
  return cookies;
}

export function createGuard(options: { readonly token: string; readonly hosts: readonly string[] }): Guard {
  const key = randomBytes(32);
  const sessions = new Set<string>();
  const origins = options.hosts.map((host) => `http://${host}`);
  const refuse = (status: 400 | 401 | 403, reason: string): Verdict => ({ ok: false, status, reason });
  const guard: Guard = {
    token: options.token,
    hosts: options.hosts,
    signIn(token) {
      if (!equalSecrets(token.trim(), options.token)) return undefined;
      const session = randomBytes(24).toString('base64url');
      sessions.add(session);
      return session;
    },
    signOut(session) {
      if (session !== undefined) sessions.delete(session);
    },
    session(cookieHeader) {
      const session = parseCookies(cookieHeader).get(SESSION_COOKIE);
      return session !== undefined && sessions.has(session) ? session : undefined;
    },
    csrfFor(session) {
      return createHmac('sha256', key).update(session).digest('base64url');
    },
    checkHost(facts) {
      if (facts.host === undefined || !options.hosts.includes(facts.host.toLowerCase()))
        return refuse(400, `this console answers to ${options.hosts.join(' or ')} only`);
      return { ok: true };
    },
    checkOrigin(facts) {
      if (facts.secFetchSite !== undefined && facts.secFetchSite !== 'same-origin' && facts.secFetchSite !== 'none')
        return refuse(403, `refused: a ${facts.secFetchSite} request cannot change dead letters`);
      if (facts.origin !== undefined && !origins.includes(facts.origin.toLowerCase()))
        return refuse(403, `refused: requests from ${facts.origin} cannot change dead letters`);
      return { ok: true };
    },
    checkChange(facts, csrf) {
      const host = guard.checkHost(facts);
      if (!host.ok) return host;
      if (facts.method !== 'POST') return refuse(400, 'changes are POST requests');
      const origin = guard.checkOrigin(facts);
      if (!origin.ok) return origin;
      const session = guard.session(facts.cookie);
      if (session === undefined) return refuse(401, 'sign in with the console token first');
      if (csrf === undefined || !equalSecrets(csrf, guard.csrfFor(session)))
        return refuse(403, 'the form is stale or not from this console: reload the page and try again');
      return { ok: true };
    },
  };
  return guard;
}

/** The Host values a console bound to host:port answers to (loopback names both ways). */
export function allowedHosts(host: string, port: number): string[] {
  const loopback = ['127.0.0.1', 'localhost', '[::1]'];
  const names = loopback.includes(host) || host === '::1' ? loopback : [host.includes(':') ? `[${host}]` : host];
  return names.map((name) => `${name}:${port}`.toLowerCase());
}
