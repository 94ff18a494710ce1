/**
 * The Klaviyo sandbox in a process of its own for benchmarks that need options the CLI does not take
 * (scaled windows, a competing integration): `node bench/workers/sandbox-worker.ts '<SandboxOptions JSON>'`.
 * Prints `listening on <url>` and runs until SIGTERM.
 */
import { createSandbox, type SandboxOptions } from '../../src/sandbox/server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SandboxOptions;
const sandbox = await createSandbox({ port: 0, host: '127.0.0.1', ...options });
process.stdout.write(`listening on ${sandbox.url}\n`);
process.once('SIGTERM', () => void sandbox.close().then(() => process.exit(0)));
