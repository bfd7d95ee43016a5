import { defineConfig } from 'vitest/config';

/**
 * The verdict suite: whole `peakready run`s of the smoke scenario, intact and broken on
 * purpose. Each run carries timing SLOs, so runs go one at a time, never beside other tests
 * on this 2-core machine (`make test` runs this after the main suite).
 */
export default defineConfig({
  test: {
    include: ['test/verdicts/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 300_000,
    hookTimeout: 60_000,
    sequence: { concurrent: false },
  },
});
