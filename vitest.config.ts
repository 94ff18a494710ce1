import { defineConfig } from 'vitest/config';

// Test layers by suffix (DESIGN.md convention 6): *.unit.test.ts never touch I/O and need nothing;
// *.int.test.ts and *.e2e.test.ts use the real broker and registry, which the global setup provides
// (endpoints from the environment, else testcontainers, else the local stack).
export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.unit.test.ts', 'test/**/*.unit.test.ts', 'scripts/**/*.unit.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts', 'src/**/*.e2e.test.ts', 'test/**/*.e2e.test.ts'],
          environment: 'node',
          globalSetup: ['test/setup/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          pool: 'forks',
          maxWorkers: 2,
        },
      },
    ],
  },
});
