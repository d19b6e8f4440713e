// What a test file's tests start and must stop: each test defers its cleanups (clients, servers,
// health endpoints), and they run after it, last first, whether it passed or not.
import { afterEach } from 'vitest';
import type { XdsServerOptions } from '../server/xds-server.js';
import { RawAdsClient } from './raw-ads-client.js';
import { RawDeltaClient } from './raw-delta-client.js';
import { startTestServer } from './test-server.js';
import type { TestServer } from './test-server.js';

export interface TestScope {
  /** Runs after the current test, after everything deferred later. */
  defer(cleanup: () => Promise<void> | void): void;
  /** A test server, shut down (200 ms grace) after the current test. */
  start(options?: XdsServerOptions): Promise<TestServer>;
  /** A raw state-of-the-world ADS client, closed after the current test. */
  sotwClient(...args: ConstructorParameters<typeof RawAdsClient>): RawAdsClient;
  /** A raw Delta ADS client, closed after the current test. */
  deltaClient(...args: ConstructorParameters<typeof RawDeltaClient>): RawDeltaClient;
}

/** Call once at the top of a test file: it registers the afterEach that runs the deferred cleanups. */
export function testScope(): TestScope {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const defer = (cleanup: () => Promise<void> | void): void => void cleanups.push(cleanup);
  return {
    defer,
    start: async (options = {}) => {
      const started = await startTestServer(options);
      defer(() => started.server.shutdown(200));
      return started;
    },
    sotwClient: (...args) => {
      const client = new RawAdsClient(...args);
      defer(() => client.close());
      return client;
    },
    deltaClient: (...args) => {
      const client = new RawDeltaClient(...args);
      defer(() => client.close());
      return client;
    },
  };
}
