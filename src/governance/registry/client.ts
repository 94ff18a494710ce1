/**
 * A small typed client for the Confluent schema-registry REST API, the part governance needs (subjects,
 * versions, register, compatibility, per-subject config), which @kafkajs/confluent-schema-registry
 * does not cover. Built by a factory with its dependencies explicit; every failure to reach the registry
 * is a RelayError REGISTRY_UNAVAILABLE that names the URL it tried.
 *
 * Apicurio Registry 3 ccompat quirks, found against the real server (and handled here):
 * - GET /config/{subject} answers the global level when the subject has none of its own (Confluent
 *   answers 40408), and 404 only for a subject that has neither versions nor config. So "the level the
 *   registry applies" is what we can read, not "the level set on the subject".
 * - PUT /config/{subject} works before the subject has versions, and answers `compatibilityLevel`
 *   (Confluent answers `compatibility`); both are accepted. Except NONE: for a subject without
 *   versions it answers 404 (40401), which we treat as done.
 * - The global default level is NONE, so `apply` must set each subject's level.
 * - POST /compatibility/subjects/{s}/versions/latest compares with the latest version only, whatever
 *   the level (as Confluent does). POST /compatibility/subjects/{s}/versions (no version) compares with
 *   every version, whatever the level, so it is transitive even under BACKWARD (Confluent would compare
 *   with the latest only). Registration follows Confluent (BACKWARD: latest; *_TRANSITIVE: all). So we
 *   ask `/versions` for TRANSITIVE levels and `/versions/latest` for the others, which gives the
 *   registration's verdict on both servers.
 * - `?verbose=true` on the compatibility endpoint is accepted but returns no messages; reasons come
 *   from our own walker. Registering an incompatible schema answers 409 with a one-line diff list.
 * - Compatibility against a subject that does not exist answers is_compatible: true.
 * - An invalid level in PUT /config answers 500, not 422.
 *
 * Only the registry's own answers are trusted (codec/registry-answers.ts): any other 404 and any answer
 * that is not JSON is REGISTRY_UNAVAILABLE naming the URL, so a gate never calls every subject new
 * because it asked the wrong server.
 */
import { request, type Dispatcher } from 'undici';
import { foreignAnswer, isNotRegistered, readAnswerBody } from '../../codec/registry-answers.ts';
import { RelayError } from '../../errors.ts';
import { isCompatibilityLevel, type CompatibilityLevel } from '../compat/levels.ts';

export interface RegistryClientOptions {
  /** Base URL of the Confluent-compatible API, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  readonly baseUrl: string;
  readonly auth?: { readonly username: string; readonly password: string };
  readonly dispatcher?: Dispatcher;
  readonly timeoutMs?: number;
}

export interface RegisteredSchema {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
}

export type RegisterResult =
  | { readonly ok: true; readonly id: number }
  | { readonly ok: false; readonly status: number; readonly message: string };

export interface RegistryClient {
  readonly baseUrl: string;
  listSubjects(): Promise<string[]>;
  /** Version numbers of a subject, oldest first; empty when the subject does not exist. */
  listVersions(subject: string): Promise<number[]>;
  getVersion(subject: string, version: number | 'latest'): Promise<RegisteredSchema | undefined>;
  /** The version under which exactly this schema is registered in the subject, if it is. */
  lookup(subject: string, schema: string): Promise<RegisteredSchema | undefined>;
  register(subject: string, schema: string): Promise<RegisterResult>;
  /**
   * The registry's verdict for `schema` against the subject, at the level the registry applies to it.
   * `transitive` must say whether that level is a TRANSITIVE one (see the quirks above).
   */
  testCompatibility(
    subject: string,
    schema: string,
    transitive: boolean,
  ): Promise<{ compatible: boolean; messages: string[] }>;
  /** The level the registry applies to the subject (its own, else the global one). */
  getLevel(subject: string): Promise<CompatibilityLevel | undefined>;
  setLevel(subject: string, level: CompatibilityLevel): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

interface Response {
  readonly status: number;
  readonly body: unknown;
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
  if (options.auth) {
    const token = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
    headers.authorization = `Basic ${token}`;
  }
  const timeout = options.timeoutMs ?? 10_000;

  async function call(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Response> {
    const url = `${baseUrl}${path}`;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
    } catch (error) {
      throw new RelayError('REGISTRY_UNAVAILABLE', `cannot reach the schema registry at ${url}: ${describe(error)}`, {
        detail: { url },
        cause: error,
      });
    }
    const text = await response.body.text();
    // A proxy's HTML page, a web UI: not the registry's API, whatever the status.
    const { body: parsed, isJson: json } = readAnswerBody(text);
    const foreign = foreignAnswer(response.statusCode, parsed, json, baseUrl);
    if (foreign !== undefined) {
      const excerpt = json ? '' : ` (${text.slice(0, 80).replace(/\s+/g, ' ')})`;
      throw new RelayError('REGISTRY_UNAVAILABLE', `${url} ${foreign}${excerpt}`, {
        detail: { url, status: response.statusCode },
      });
    }
    if (response.statusCode >= 500 || response.statusCode === 401 || response.statusCode === 403) {
      throw new RelayError(
        'REGISTRY_UNAVAILABLE',
        `schema registry at ${url} answered ${response.statusCode}: ${messageOf(parsed)}`,
        { detail: { url, status: response.statusCode } },
      );
    }
    return { status: response.statusCode, body: parsed };
  }

  function unexpected(path: string, response: Response): never {
    throw new RelayError(
      'REGISTRY_UNAVAILABLE',
      `schema registry at ${baseUrl}${path} answered ${response.status}: ${messageOf(response.body)}`,
      { detail: { url: `${baseUrl}${path}`, status: response.status } },
    );
  }

  const subjectPath = (subject: string) => `/subjects/${encodeURIComponent(subject)}`;

  return {
    baseUrl,
    async listSubjects() {
      const response = await call('GET', '/subjects');
      if (response.status !== 200 || !Array.isArray(response.body)) unexpected('/subjects', response);
      return response.body.map(String);
    },
    async listVersions(subject) {
      const path = `${subjectPath(subject)}/versions`;
      const response = await call('GET', path);
      if (notRegistered(response)) return [];
      if (response.status !== 200 || !Array.isArray(response.body)) unexpected(path, response);
      return response.body.map(Number).sort((a, b) => a - b);
    },
    async getVersion(subject, version) {
      const path = `${subjectPath(subject)}/versions/${version}`;
      const response = await call('GET', path);
      if (notRegistered(response)) return undefined;
      if (response.status !== 200) unexpected(path, response);
      return toRegistered(response.body, subject);
    },
    async lookup(subject, schema) {
      const path = subjectPath(subject);
      const response = await call('POST', path, { schema });
      if (notRegistered(response)) return undefined;
      if (response.status !== 200) unexpected(path, response);
      return toRegistered(response.body, subject);
    },
    async register(subject, schema) {
      const path = `${subjectPath(subject)}/versions`;
      const response = await call('POST', path, { schema });
      if (response.status === 200) return { ok: true, id: Number((response.body as { id?: unknown }).id) };
      return { ok: false, status: response.status, message: messageOf(response.body) };
    },
    async testCompatibility(subject, schema, transitive) {
      const against = transitive ? 'versions' : 'versions/latest';
      const path = `/compatibility${subjectPath(subject)}/${against}?verbose=true`;
      const response = await call('POST', path, { schema });
      if (notRegistered(response)) return { compatible: true, messages: [] };
      const body = response.body as { is_compatible?: unknown; messages?: unknown };
      if (response.status !== 200 || typeof body?.is_compatible !== 'boolean') unexpected(path, response);
      return {
        compatible: body.is_compatible,
        messages: Array.isArray(body.messages) ? body.messages.map(String) : [],
      };
    },
    async getLevel(subject) {
      const path = `/config/${encodeURIComponent(subject)}`;
      const response = await call('GET', path);
      if (notRegistered(response)) return undefined;
      if (response.status !== 200) unexpected(path, response);
      return levelOf(response.body);
    },
    async setLevel(subject, level) {
      const path = `/config/${encodeURIComponent(subject)}`;
      const response = await call('PUT', path, { compatibility: level });
      // Apicurio answers 404 to NONE for a subject without versions (nothing to relax): not an error.
      if (level === 'NONE' && notRegistered(response)) return;
      if (response.status !== 200 || levelOf(response.body) !== level) unexpected(path, response);
    },
  };
}

function notRegistered(response: Response): boolean {
  return isNotRegistered(response.status, response.body);
}

function levelOf(body: unknown): CompatibilityLevel | undefined {
  const record = (body ?? {}) as { compatibilityLevel?: unknown; compatibility?: unknown };
  const value = record.compatibilityLevel ?? record.compatibility;
  return isCompatibilityLevel(value) ? value : undefined;
}

function toRegistered(body: unknown, subject: string): RegisteredSchema {
  const record = (body ?? {}) as Record<string, unknown>;
  return {
    subject: typeof record.subject === 'string' ? record.subject : subject,
    version: Number(record.version),
    id: Number(record.id),
    schema: typeof record.schema === 'string' ? record.schema : '',
  };
}

function messageOf(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 300);
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : JSON.stringify(body ?? null).slice(0, 300);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${typeof code === 'string' ? `${code} ` : ''}${error.message}${cause}`;
  }
  return String(error);
}
