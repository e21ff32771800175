import { defineConfig } from 'vitest/config';

// Three tiers, chosen by file name: unit (no I/O), int (real local stack), e2e (real browser).
// The int and e2e tiers share one stack, started once by a global setup on test ports.
export default defineConfig({
  test: {
    // CI also writes a JSON report per tier (file named by the test:* scripts), from which .ci/run prints
    // the one-line summary.
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.unit.test.ts', 'e2e/**/*.unit.test.ts'],
        },
      },
      {
        test: {
          name: 'int',
          include: ['packages/*/src/**/*.int.test.ts'],
          globalSetup: ['packages/stack/src/testing/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          globalSetup: ['packages/stack/src/testing/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
