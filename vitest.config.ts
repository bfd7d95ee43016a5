import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
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
