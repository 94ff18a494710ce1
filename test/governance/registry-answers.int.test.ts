/**
 * Governance trusts only the registry's own answers (issue 16): Confluent's 40401/40403 mean "not
 * registered"; a bare 404 (the wrong base URL) or an answer that is not JSON is an error naming the URL,
 * and `schemas check` / `plan` exit 2 instead of calling every subject new.
 */
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isRelayError } from '../../src/errors.ts';
import { createRegistryClient as createCodecRegistry } from '../../src/codec/registry-client.ts';
import { createRegistryClient } from '../../src/governance/registry/client.ts';

const cli = fileURLToPath(new URL('../../bin/klaviyo-relay', import.meta.url));

/** A server that answers every request with the given status, content type and body. */
function answering(status: number, contentType: string, body: string): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(status, { 'content-type': contentType });
    response.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const urlOf = (server: Server): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function codeOf(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return isRelayError(error) ? `${error.code}: ${error.message}` : String(error);
  }
}

describe('the governance registry client', () => {
  const servers: Server[] = [];

  beforeAll(async () => {
    servers.push(
      await answering(404, 'text/plain', 'Not Found'),
      await answering(200, 'text/html', '<html><body>Registry UI</body></html>'),
      await answering(404, 'application/json', '{"error_code":40401,"message":"Subject not found"}'),
    );
  });

  afterAll(() => {
    for (const server of servers) server.close();
  });

  it('takes 40401 for "not registered", and a bare 404 or a non-JSON answer for an error naming the URL', async () => {
    const [bare, html, confluent] = servers.map((server) => createRegistryClient({ baseUrl: urlOf(server!) }));
    expect(await confluent!.listVersions('s')).toEqual([]);
    expect(await confluent!.getVersion('s', 'latest')).toBeUndefined();
    expect(await codeOf(bare!.listVersions('s'))).toMatch(
      new RegExp(`^REGISTRY_UNAVAILABLE: ${urlOf(servers[0]!)}/subjects/s/versions answered 404`),
    );
    expect(await codeOf(html!.listSubjects())).toMatch(/^REGISTRY_UNAVAILABLE: .*not JSON/);
  });

  it("the codec's client too: only the registry's own 404 is an unknown schema id; a bare one is the registry unavailable", async () => {
    const [bare, html, confluent] = servers.map((server) => createCodecRegistry({ url: urlOf(server!) }));
    expect(await codeOf(bare!.getSchemaById(7))).toMatch(/^REGISTRY_UNAVAILABLE: .*answered 404/);
    expect(await codeOf(html!.getSchemaById(7))).toMatch(/^REGISTRY_UNAVAILABLE: .*not JSON/);
    expect(await codeOf(confluent!.getSchemaById(7))).toMatch(/^UNKNOWN_SCHEMA_ID/);
    const registry = createCodecRegistry({ url: inject('schemaRegistryUrl') });
    expect(await codeOf(registry.getSchemaById(987_654_321))).toMatch(/^UNKNOWN_SCHEMA_ID/);
    const root = createCodecRegistry({ url: new URL(inject('schemaRegistryUrl')).origin });
    expect(await codeOf(root.getSchemaById(987_654_321))).toMatch(/^REGISTRY_UNAVAILABLE/);
  });

  it('against the real registry: its own 404 is "not registered", the wrong base URL exits 2 naming it', async () => {
    const url = inject('schemaRegistryUrl');
    expect(await createRegistryClient({ baseUrl: url }).listVersions('no-such-subject-issue16')).toEqual([]);
    const root = new URL(url).origin; // Apicurio without /apis/ccompat/v7
    for (const command of ['check', 'plan']) {
      const result = spawnSync(cli, ['schemas', command, '--registry', root], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain(`${root}/subjects`);
      expect(result.stdout).not.toMatch(/new subject/i);
    }
  });
});
