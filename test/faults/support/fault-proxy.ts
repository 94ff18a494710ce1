// A loopback TCP proxy with faults, for the registry outage and the network faults between the relay and
// Klaviyo: pass, refuse (reset every connection), black-hole (accept, then never answer), added latency
// per chunk, and resetting a share of connections mid-stream. node:net only; listens on 127.0.0.1.
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export type ProxyMode =
  | { readonly kind: 'pass' }
  | { readonly kind: 'refuse' }
  | { readonly kind: 'blackhole' }
  | { readonly kind: 'latency'; readonly ms: number }
  /** Each chunk from the client resets its connection with probability `share`. */
  | { readonly kind: 'reset'; readonly share: number };

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  setMode(mode: ProxyMode): void;
  /** Connections cut (refused or reset) and black-holed so far. */
  counters(): { readonly connections: number; readonly cut: number; readonly blackholed: number };
  close(): Promise<void>;
}

export async function startFaultProxy(target: { host: string; port: number }, path = ''): Promise<FaultProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  const sockets = new Set<Socket>();
  const counts = { connections: 0, cut: 0, blackholed: 0 };
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server: Server = createServer((client) => {
    track(client);
    counts.connections += 1;
    const current = mode;
    if (current.kind === 'refuse') {
      counts.cut += 1;
      client.resetAndDestroy();
      return;
    }
    if (current.kind === 'blackhole') {
      counts.blackholed += 1;
      client.resume(); // read and drop, answer nothing
      return;
    }
    const upstream = createConnection(target);
    track(upstream);
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    // Latency and resets are decided per chunk with the mode of that moment, so connections a client keeps
    // alive across a change of mode meet the fault too.
    const delayOf = (): number => (mode.kind === 'latency' ? mode.ms : 0);
    client.on('data', (chunk: Buffer) => {
      if (mode.kind === 'reset' && Math.random() < mode.share) {
        counts.cut += 1;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      const delay = delayOf();
      if (delay > 0) setTimeout(() => upstream.write(chunk), delay);
      else upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      const delay = delayOf();
      if (delay > 0) setTimeout(() => client.write(chunk), delay);
      else client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}${path}`,
    port: address.port,
    setMode(next) {
      mode = next;
      // A change of mode applies to live connections too: pooled keep-alive sockets must not dodge a fault.
      if (next.kind === 'refuse' || next.kind === 'blackhole') for (const socket of sockets) socket.destroy();
    },
    counters: () => ({ ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
