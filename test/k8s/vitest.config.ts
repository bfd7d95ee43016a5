import { defineConfig } from 'vitest/config';

/**
 * The k8s suite runs against the real control plane that scripts/k8s/test-k8s.sh
 * starts (KUBECONFIG points at it). Its files end in .k8s.ts so the default
 * `vitest run` (test/**\/*.test.ts) never picks them up.
 */
export default defineConfig({
  test: {
    include: ['test/k8s/**/*.k8s.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Controllers reconcile on their own schedule; a busy 2-core machine slows them.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Files share one control plane; each uses its own namespace, two at a time.
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
