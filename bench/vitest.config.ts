// Measurements that need the e2e harness (a real API server, network namespaces) run under vitest
// for its lifecycle hooks, but never as part of `make test`: `make bench-latency` runs them.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.measure.ts'],
    globalSetup: ['e2e/harness/global-setup.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
  },
});
