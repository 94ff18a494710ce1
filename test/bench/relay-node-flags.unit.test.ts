// How the relay's process is started is written in three places (launcher, image, benchmark workers);
// they must not drift apart, or the benchmarks would measure a service nobody runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RELAY_NODE_FLAGS, RELAY_PROCESS_ENV } from '../../bench/lib/relay-node-flags.ts';

const read = (path: string): string => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('the relay starts the same way everywhere', () => {
  it.each(RELAY_NODE_FLAGS)('%s is passed by bin/klaviyo-relay and set in the Dockerfile', (flag) => {
    expect(read('bin/klaviyo-relay')).toMatch(new RegExp(`node ${flag} `));
    expect(read('Dockerfile')).toMatch(new RegExp(`^ENV NODE_OPTIONS="[^"]*${flag}\\b`, 'm'));
  });

  it.each(Object.entries(RELAY_PROCESS_ENV))('%s=%s is set by bin/klaviyo-relay and the Dockerfile', (name, value) => {
    expect(read('bin/klaviyo-relay')).toContain(`export ${name}="\${${name}:-${value}}"`);
    expect(read('Dockerfile')).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
  });
});
