import { defineConfig } from 'vitest/config';
import { ScenarioOrder } from './test/faults/support/scenario-order.ts';

// The reliability and security suite (RELIABILITY.md): heavy, figure-printing scenarios against the real
// broker and registry (the same global setup as the integration tests) and the Klaviyo sandbox. Kept out of
// `npm test`; run by `npm run test:faults` (FAULTS_PROFILE=full) and `npm run test:faults:ci` (the subset CI
// runs). Scenarios run one at a time, in file-name order, so that they do not share two cores between them
// and the secrets scenario, last, can read every log the others wrote.
export default defineConfig({
  test: {
    name: 'faults',
    include: ['test/faults/**/*.faults.test.ts'],
    environment: 'node',
    globalSetup: ['test/setup/global-setup.ts'],
    reporters: ['default'],
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
    // A scenario that hangs fails instead of holding the suite (and CI) until the job's own timeout.
    testTimeout: (process.env['FAULTS_PROFILE'] === 'full' ? 40 : 10) * 60_000,
    hookTimeout: 5 * 60_000,
    sequence: { sequencer: ScenarioOrder },
  },
});
