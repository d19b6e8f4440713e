import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['operator/src/**/*.test.ts', 'xds-server/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    // Builds (once, then cached) or finds kube-apiserver + etcd; fails the run if they cannot be had.
    globalSetup: ['e2e/harness/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
