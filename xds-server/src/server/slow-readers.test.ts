// A client that stops reading (its transport still answers pings, so keepalive never notices)
// must not hold the push budget: its stream is reset after the write deadline, what it held is
// given back, and healthy clients on the same server get every publish meanwhile.
import { constants } from 'node:http2';
import { describe, expect, it } from 'vitest';
import { typeUrlOf } from '../protos/envoy-protos.js';
import { ROUTE_CONFIG, fleetResources } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import { StalledAdsClient } from '../test-support/stalled-ads-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { testScope } from '../test-support/test-scope.js';

const { defer, start } = testScope();

/** 1,000 virtual hosts: a RouteConfiguration (~115 KB) over one HTTP/2 flow-control window (64 KiB). */
function bigFleet(generation: number): FleetSpec {
  return {
    routes: Object.fromEntries(Array.from({ length: 1_000 }, (_, i) => [`host-${i}.gen-${generation}.example.com`, 'default/app/80'])),
    endpoints: { 'default/app/80': [50001] },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const metric = async (s: TestServer, name: string): Promise<number> => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await s.server.metrics.render())?.[1] ?? NaN);

describe('slow readers', () => {
  it('resets a client that never reads after writeTimeoutMs and gives its push budget back, while a healthy client receives every publish', async () => {
    const writeTimeoutMs = 2_500;
    // A byte budget smaller than one route table: the stuck response alone would fill it.
    const s = await start({ writeTimeoutMs, pushHoldMs: 150, maxPushBytes: 64 * 1024, maxStalledPushBytes: 1024 * 1024 });
    s.server.publishFleet('web', fleetResources(bigFleet(0)));

    const stalled = new StalledAdsClient(s.address);
    defer(() => stalled.close());
    stalled.send({ node: { id: 'stuck', cluster: 'web' }, type_url: typeUrlOf('routeConfiguration'), resource_names: [ROUTE_CONFIG] });
    await waitFor(async () => (await metric(s, 'portico_xds_push_bytes_in_flight')) > 64 * 1024, 2_000, 'the stuck response to be in flight');

    // A client arriving while the stuck response holds more than the whole byte budget.
    const healthy = new RawAdsClient(s.address, { id: 'healthy', cluster: 'web' }, false);
    defer(() => healthy.close());
    const subscribed = Date.now();
    healthy.subscribe('routeConfiguration', [ROUTE_CONFIG]);
    healthy.ack(await healthy.next('routeConfiguration', writeTimeoutMs), [ROUTE_CONFIG]);
    let slowest = Date.now() - subscribed;

    // Publishes before, around and after the deadline: each reaches the healthy client, promptly.
    const versions = new Set<string>();
    for (let generation = 1; generation <= 12; generation++) {
      s.server.publishFleet('web', fleetResources(bigFleet(generation)));
      const published = Date.now(); // publishing (encoding) itself is synchronous: timed from here
      const response = await healthy.next('routeConfiguration', writeTimeoutMs);
      slowest = Math.max(slowest, Date.now() - published);
      versions.add(response.versionInfo);
      healthy.ack(response, [ROUTE_CONFIG]);
      await sleep(150);
    }
    expect(versions.size).toBe(12);
    expect(slowest).toBeLessThan(writeTimeoutMs / 2);

    const end = await stalled.ended;
    expect(end.rstCode).toBe(constants.NGHTTP2_REFUSED_STREAM); // gRPC clients report it as UNAVAILABLE
    expect(end.afterMs).toBeGreaterThanOrEqual(writeTimeoutMs - 100);
    expect(s.events('xds.slow_client_closed')).toHaveLength(1);
    expect(s.events('xds.slow_client_closed')[0]).toMatchObject({ nodeId: 'stuck', fleet: 'web', writeTimeoutMs });
    expect(s.server.streams().map((stream) => stream.nodeId)).toEqual(['healthy']);
    expect(await metric(s, 'portico_xds_slow_streams_closed_total')).toBe(1);
    await waitFor(async () => (await metric(s, 'portico_xds_push_bytes_in_flight')) === 0, 2_000, 'the push budget to be given back');
    expect(await metric(s, 'portico_xds_push_bytes_stalled')).toBe(0);
  }, 30_000);

  it('keeps a client that reads converging while more never-reading clients than push slots arrive', async () => {
    // One push slot, taken in turn by each never-reading client for pushHoldMs: a FIFO queue would
    // make the healthy client wait for all of them (8 × 500 ms) on every publish.
    const s = await start({ pushLimit: 1, pushHoldMs: 500 });
    s.server.publishFleet('web', fleetResources(bigFleet(0)));
    const healthy = new RawAdsClient(s.address, { id: 'healthy', cluster: 'web' }, false);
    defer(() => healthy.close());
    healthy.subscribe('routeConfiguration', [ROUTE_CONFIG]);
    healthy.ack(await healthy.next('routeConfiguration'), [ROUTE_CONFIG]);

    for (let i = 0; i < 8; i++) {
      const stalled = new StalledAdsClient(s.address);
      defer(() => stalled.close());
      stalled.send({ node: { id: `stuck-${i}`, cluster: 'web' }, type_url: typeUrlOf('routeConfiguration'), resource_names: [ROUTE_CONFIG] });
    }
    await waitFor(() => s.server.streams().length === 9);
    let slowest = 0;
    for (let generation = 1; generation <= 3; generation++) {
      s.server.publishFleet('web', fleetResources(bigFleet(generation)));
      const published = Date.now();
      healthy.ack(await healthy.next('routeConfiguration', 5_000), [ROUTE_CONFIG]);
      slowest = Math.max(slowest, Date.now() - published);
    }
    expect(slowest).toBeLessThan(1_500);
  }, 30_000);
});
