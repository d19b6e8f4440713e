import { defineConfig } from 'vitest/config';

// Two projects: `unit` (observability/, operator/, xds-server/ and bench/ tests: no API server, runs anywhere with
// `npx vitest run --project unit`) and `e2e` (real kube-apiserver, etcd, helm, gRPC clients).
// `npx vitest run` — and so `make test` — runs both.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['observability/src/**/*.test.ts', 'operator/src/**/*.test.ts', 'xds-server/src/**/*.test.ts', 'bench/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          // Builds (once, then cached) or finds kube-apiserver + etcd; fails the run if they cannot be had.
          globalSetup: ['e2e/harness/global-setup.ts'],
        },
      },
    ],
  },
});
