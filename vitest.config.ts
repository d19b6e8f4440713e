import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['operator/src/**/*.test.ts', 'xds-server/src/**/*.test.ts', 'e2e/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
