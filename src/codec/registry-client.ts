/**
 * The schema registry over its Confluent-compatible REST API (Confluent Schema Registry, Apicurio's
 * ccompat/v7). Only two calls: the schema of an id (decoding) and registering a schema under a subject
 * (producing). We call it with undici rather than @kafkajs/confluent-schema-registry because that client
 * (through mappersmith) reports a refused connection as HTTP 400, and the decoder must tell "this id does
 * not exist" (a bad record: UNKNOWN_SCHEMA_ID) from "the registry is down" (retry: REGISTRY_UNAVAILABLE).
 */
import { request } from 'undici';
import { isRelayError, RelayError } from '../errors.ts';
import { foreignAnswer, isNotRegistered, readAnswerBody } from './registry-answers.ts';

export interface RegistrySchema {
  readonly id: number;
  /** The schema document as registered (JSON text for Avro). */
  readonly schema: string;
  /** AVRO unless the registry says otherwise (PROTOBUF, JSON). */
  readonly schemaType: string;
}

/** The port the codec depends on; tests of pure codec logic may implement it in memory. */
export interface SchemaRegistry {
  /** Throws UNKNOWN_SCHEMA_ID when the registry has no such id, REGISTRY_UNAVAILABLE when it cannot answer. */
  getSchemaById(id: number): Promise<RegistrySchema>;
  /** Registers (or finds) `schema` under `subject`; returns its id. Idempotent for the same schema. */
  register(subject: string, schema: string): Promise<number>;
}

export interface RegistryClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8081/apis/ccompat/v7 (no trailing slash needed). */
  readonly url: string;
  readonly auth?: { readonly username: string; readonly password: string };
  readonly timeoutMs?: number;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export function createRegistryClient(options: RegistryClientOptions): SchemaRegistry {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const headers: Record<string, string> = { accept: CONTENT_TYPE, 'content-type': CONTENT_TYPE };
  if (options.auth) {
    headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
  }

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    try {
      const response = await request(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      const { body: json, isJson } = readAnswerBody(await response.body.text());
      const foreign = foreignAnswer(response.statusCode, json, isJson, base);
      if (foreign !== undefined) {
        throw new RelayError('REGISTRY_UNAVAILABLE', `schema registry: ${base}${path} ${foreign}`, {
          detail: { status: response.statusCode },
        });
      }
      return { status: response.statusCode, json };
    } catch (error) {
      if (isRelayError(error)) throw error;
      throw new RelayError('REGISTRY_UNAVAILABLE', `schema registry at ${base} cannot be reached: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  return {
    async getSchemaById(id) {
      const { status, json } = await call('GET', `/schemas/ids/${id}`);
      if (isNotRegistered(status, json)) {
        throw new RelayError('UNKNOWN_SCHEMA_ID', `schema id ${id} is not in the registry`, {
          detail: { schemaId: id },
        });
      }
      if (status !== 200) throw unavailable(status, json, `GET /schemas/ids/${id}`);
      const document = json as { schema?: unknown; schemaType?: unknown } | undefined;
      if (typeof document?.schema !== 'string') throw unavailable(status, json, `GET /schemas/ids/${id}`);
      return {
        id,
        schema: document.schema,
        schemaType: typeof document.schemaType === 'string' ? document.schemaType : 'AVRO',
      };
    },

    async register(subject, schema) {
      const path = `/subjects/${encodeURIComponent(subject)}/versions`;
      const { status, json } = await call('POST', path, { schema, schemaType: 'AVRO' });
      const id = (json as { id?: unknown } | undefined)?.id;
      if (status === 200 && typeof id === 'number') return id;
      if (status === 409 || status === 422 || status === 400) {
        throw new RelayError(
          'SCHEMA_REJECTED',
          `registry rejected the schema for subject ${subject}: ${messageOf(json)}`,
          {
            detail: { subject, status },
          },
        );
      }
      throw unavailable(status, json, `POST ${path}`);
    },
  };
}

function unavailable(status: number, json: unknown, what: string): RelayError {
  return new RelayError(
    'REGISTRY_UNAVAILABLE',
    `schema registry answered ${what} with HTTP ${status}: ${messageOf(json)}`,
    {
      detail: { status },
    },
  );
}

function messageOf(json: unknown): string {
  if (typeof json === 'object' && json !== null && 'message' in json) return String(json.message);
  return typeof json === 'string' ? json.slice(0, 200) : 'no message';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
