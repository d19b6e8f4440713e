// `make test-envoy`: only the real-Envoy suite (e2e/envoy.test.ts). It runs `portico serve
// --manifests` and needs no API server, so unlike vitest.config.ts there is no globalSetup: this
// run neither builds nor looks for kube-apiserver and etcd.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['e2e/envoy.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
