import { defineConfig } from 'vitest/config';

/**
 * The real-node suite (`make test-k8s-node`): the control plane of scripts/k8s/up.sh plus one
 * real node (containerd, runc, CNI, kubelet, kube-proxy, CoreDNS) from scripts/k8s/node-up.sh.
 * The stack's images are assembled and imported into the node once (images.global.ts).
 */
export default defineConfig({
  test: {
    include: ['test/k8s-node/**/*.k8s.ts'],
    globalSetup: ['test/global-setup.ts', 'test/k8s-node/images.global.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
