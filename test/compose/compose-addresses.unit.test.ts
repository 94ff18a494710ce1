// docker-compose.yml can work (issue 16): every address the relay's container is given names a service
// of the file and a port that service listens on inside its container, on an interface other containers
// reach (not loopback). Read from the file itself, and from the sandbox command's own defaults.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../src/cli/main.ts';

interface Service {
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string | number>>;
}

const compose = parse(readFileSync(new URL('../../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Readonly<Record<string, Service>>;
};

interface Listener {
  readonly port: number;
  /** The interface it binds: '' or 0.0.0.0 / :: for all, anything else for one. */
  readonly host: string;
}

const ALL_INTERFACES = new Set(['', '0.0.0.0', '::', '[::]']);

/** `NAME://host:port` or `scheme://host:port` lists, as Kafka and the registry write their listeners. */
function parseListeners(text: string): Listener[] {
  return text.split(',').map((entry) => {
    const match = /^[A-Za-z_]+:\/\/(.*):(\d+)$/.exec(entry.trim());
    if (match === null) throw new Error(`unparsable listener ${entry}`);
    return { host: match[1]!, port: Number(match[2]) };
  });
}

/** Where a service of the file listens inside its container. */
function listenersOf(name: string, service: Service): Listener[] {
  const env = service.environment ?? {};
  if (env.KAFKA_LISTENERS !== undefined) return parseListeners(String(env.KAFKA_LISTENERS));
  if (env.SCHEMA_REGISTRY_LISTENERS !== undefined) return parseListeners(String(env.SCHEMA_REGISTRY_LISTENERS));
  const command = service.command ?? [];
  if (command.includes('sandbox')) {
    const sandbox = buildProgram().commands.find((entry) => entry.name() === 'sandbox')!;
    const option = (flag: string): string => {
      const at = command.indexOf(flag);
      if (at >= 0) return command[at + 1]!;
      return String(sandbox.options.find((entry) => entry.long === flag)?.defaultValue);
    };
    return [{ host: option('--host'), port: Number(option('--port')) }];
  }
  throw new Error(`no rule for where ${name} listens`);
}

/** The host:port addresses in one environment value: broker lists and URLs. */
function addressesIn(value: string): { host: string; port: number }[] {
  if (/^https?:\/\//.test(value)) {
    const url = new URL(value);
    return [{ host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)) }];
  }
  if (/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/.test(value)) {
    return value.split(',').map((entry) => {
      const [host, port] = entry.split(':');
      return { host: host!, port: Number(port) };
    });
  }
  return [];
}

describe('docker-compose.yml', () => {
  const relay = compose.services.relay!;
  const given = Object.entries(relay.environment ?? {}).flatMap(([variable, value]) =>
    addressesIn(String(value)).map((address) => ({ variable, ...address })),
  );

  it('gives the relay addresses of its broker, registry and Klaviyo', () => {
    expect(given.map((address) => address.variable).sort()).toEqual([
      'KAFKA_BROKERS',
      'KLAVIYO_BASE_URL',
      'SCHEMA_REGISTRY_URL',
    ]);
  });

  it.each(['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'KLAVIYO_BASE_URL'])(
    '%s names a service and a port it listens on for other containers',
    (variable) => {
      for (const address of given.filter((entry) => entry.variable === variable)) {
        const service = compose.services[address.host];
        expect(service, `${variable}: ${address.host} is not a service of the file`).toBeDefined();
        const listener = listenersOf(address.host, service!).find((entry) => entry.port === address.port);
        expect(listener, `${address.host} does not listen on ${address.port}`).toBeDefined();
        expect(ALL_INTERFACES.has(listener!.host), `${address.host} listens on ${listener!.host} only`).toBe(true);
      }
    },
  );

  it('has Kafka advertise the address containers use on the listener they connect to', () => {
    const kafka = compose.services.kafka!.environment!;
    const advertised = parseListeners(String(kafka.KAFKA_ADVERTISED_LISTENERS));
    for (const address of given.filter((entry) => entry.variable === 'KAFKA_BROKERS')) {
      expect(advertised).toContainEqual({ host: address.host, port: address.port });
    }
  });
});
