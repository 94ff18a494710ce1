/**
 * The operator's window: GET /metrics (Prometheus text), /healthz (the process is alive) and /readyz
 * (connected to Kafka and not halted). Readiness is a list of named checks so /readyz can say what is
 * wrong instead of a bare 503.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Gauge, Registry } from 'prom-client';

export interface ReadinessCheck {
  readonly name: string;
  /** Returns undefined when ready, else the reason it is not. Must not throw or block. */
  readonly check: () => string | undefined;
}

export interface HealthServerOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly readiness: () => readonly ReadinessCheck[];
  /** relay_readiness_check: set from the checks on every scrape, so Prometheus sees what /readyz would say. */
  readonly readinessGauge?: Gauge<'check'>;
}

export interface HealthServer {
  /** The bound address (the port is real even when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly problems: readonly { readonly name: string; readonly reason: string }[];
}

export function evaluateReadiness(checks: readonly ReadinessCheck[]): ReadinessReport {
  const problems = checks.flatMap((entry) => {
    const reason = entry.check();
    return reason === undefined ? [] : [{ name: entry.name, reason }];
  });
  return { ready: problems.length === 0, problems };
}

/** Each check as 1 (passing) or 0 (failing) on the gauge; the reason stays in /readyz (labels stay bounded). */
export function recordReadiness(gauge: Gauge<'check'>, checks: readonly ReadinessCheck[]): void {
  for (const entry of checks) gauge.set({ check: entry.name }, entry.check() === undefined ? 1 : 0);
}

export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz') {
      respondJson(response, 200, { status: 'alive' });
    } else if (path === '/readyz') {
      const report = evaluateReadiness(options.readiness());
      respondJson(response, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report });
    } else if (path === '/metrics') {
      if (options.readinessGauge) recordReadiness(options.readinessGauge, options.readiness());
      options.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': options.registry.contentType }).end(text),
        (error: unknown) => respondJson(response, 500, { error: error instanceof Error ? error.message : 'metrics' }),
      );
    } else {
      respondJson(response, 404, { error: 'not found', paths: ['/metrics', '/healthz', '/readyz'] });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function respondJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}
