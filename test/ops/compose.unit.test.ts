// `docker compose --profile observe up` provisions what the repository holds: the observe services mount
// files that exist, Prometheus scrapes the relay service under the job name the alerts expect, and Grafana's
// providers point where the dashboard is mounted.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (file: string): unknown => parseYaml(readFileSync(new URL(file, root), 'utf8'));

interface Service {
  readonly profiles?: readonly string[];
  readonly volumes?: readonly string[];
  readonly ports?: readonly string[];
}

describe('docker compose, profile observe', () => {
  const compose = read('docker-compose.yml') as { services: Record<string, Service> };
  const observe = Object.entries(compose.services).filter(([, service]) => service.profiles?.includes('observe'));

  it('has Prometheus and Grafana only under the profile, mounting files that exist', () => {
    expect(observe.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus']);
    for (const [, service] of observe) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        expect(existsSync(new URL(source, root)), source).toBe(true);
      }
    }
    expect(compose.services['relay']?.profiles).toBeUndefined();
  });

  it('scrapes the relay service as job klaviyo-relay with the rules loaded', () => {
    const config = read('ops/prometheus/prometheus.yml') as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(config.rule_files).toEqual(['klaviyo-relay.rules.yml']);
    const job = config.scrape_configs.find((entry) => entry.job_name === 'klaviyo-relay');
    const relayPort = (compose.services['relay']?.ports ?? [])[0]?.split(':').at(-1);
    expect(job?.static_configs[0]?.targets).toEqual([`relay:${relayPort}`]);
  });

  it("provisions the dashboard from the folder Grafana's volume mounts", () => {
    const grafana = compose.services['grafana']!;
    const provider = read('ops/grafana/provisioning/dashboards/klaviyo-relay.yml') as {
      providers: { options: { path: string } }[];
    };
    const mounted = (grafana.volumes ?? []).map((volume) => volume.split(':'));
    expect(mounted).toContainEqual(['./ops/grafana/dashboards', provider.providers[0]!.options.path, 'ro']);
    expect(existsSync(new URL('ops/grafana/dashboards/klaviyo-relay.json', root))).toBe(true);
  });
});
