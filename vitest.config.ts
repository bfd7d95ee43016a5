import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Whole-run verdict tests and the control-plane suite have their own configs and make targets.
    exclude: ['test/verdicts/**', 'test/k8s/**', '**/node_modules/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes on a 2-core machine: keep files sequential
    // enough that timing-sensitive assertions are not starved.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
