// A NACK's error_detail is the client's to fill: a 1 MB (or 3.9 MB) message must be kept, logged
// and shown cut to maxErrorDetailChars, and what is kept per node must go with the node.
import { describe, expect, it } from 'vitest';
import { typeUrlOf } from '../protos/envoy-protos.js';
import type { NackEvent } from '../protocol/nack.js';
import { fleetOrigins, fleetResources } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import { RawDeltaClient } from '../test-support/raw-delta-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { testScope } from '../test-support/test-scope.js';

const NGINX: FleetSpec = {
  routes: { 'nginx1.example.com': 'default/nginx1/80', 'nginx2.example.com': 'default/nginx2/80' },
  endpoints: { 'default/nginx1/80': [50001], 'default/nginx2/80': [50002] },
};
const CLUSTERS = ['default/nginx1/80', 'default/nginx2/80'];
const EDS = typeUrlOf('clusterLoadAssignment');
/** A gRPC-style message that blames one resource, padded to a megabyte. */
const HUGE = `resource index 1: bad endpoint ${'x'.repeat(1_000_000)}`;

const { defer, start } = testScope();

async function server(options: Parameters<typeof start>[0] = {}): Promise<TestServer> {
  const s = await start(options);
  s.server.publishFleet('nginx', fleetResources(NGINX), fleetOrigins(NGINX));
  return s;
}

function sotw(s: TestServer, id: string): RawAdsClient {
  const c = new RawAdsClient(s.address, { id, cluster: 'nginx' });
  defer(() => c.close());
  return c;
}

/** Subscribes to the endpoints and NACKs the first response with `message`. */
async function nackEndpoints(c: RawAdsClient, message: string): Promise<void> {
  c.subscribe('clusterLoadAssignment', CLUSTERS);
  c.nack(await c.next('clusterLoadAssignment'), message, CLUSTERS);
}

function expectBounded(message: string | undefined): void {
  expect(message?.length).toBeLessThanOrEqual(1024 + 64);
  expect(message?.startsWith('resource index 1: bad endpoint xxx')).toBe(true);
  expect(message?.endsWith(`[truncated: ${HUGE.length} characters in all]`)).toBe(true);
}

describe('NACKs with a huge error_detail', () => {
  it('keeps, logs and shows a SotW NACK message cut to 1 KiB, and still finds the resource it names', async () => {
    const s = await server();
    const nacks: NackEvent[] = [];
    s.server.onNack((event) => nacks.push(event));
    await nackEndpoints(sotw(s, 'envoy-huge'), HUGE);
    await waitFor(() => nacks.length > 0);

    expectBounded(nacks[0]?.errorMessage);
    expect(nacks[0]?.rejectedResources).toEqual(['default/nginx2/80']);
    expectBounded(s.events('xds.nack')[0]?.['errorDetail'] as string);
    expect(s.events('xds.nack')[0]).toMatchObject({ resources: ['default/nginx2/80'], resourceCount: 1 });
    expectBounded(s.server.nacks()['envoy-huge']?.[0]?.errorMessage);
    expectBounded(s.server.streams()[0]?.types[EDS]?.lastNack?.message);
    // No log line carries the message whole.
    expect(Math.max(...s.logs.map((line) => JSON.stringify(line).length))).toBeLessThan(4_096);
  });

  it('does the same for a Delta NACK', async () => {
    const s = await server();
    const c = new RawDeltaClient(s.address, { id: 'delta-huge', cluster: 'nginx' });
    defer(() => c.close());
    c.subscribe('clusterLoadAssignment', CLUSTERS);
    c.nack(await c.next('clusterLoadAssignment'), HUGE);
    await waitFor(() => s.server.nacks()['delta-huge']?.length === 1);

    expectBounded(s.server.nacks()['delta-huge']?.[0]?.errorMessage);
    expectBounded(s.events('xds.nack')[0]?.['errorDetail'] as string);
    expectBounded(s.server.streams()[0]?.types[EDS]?.lastNack?.message);
  });

  it("forgets a node's NACKs when its last stream closes, and keeps those of at most maxNackNodes nodes", async () => {
    const s = await server({ maxNackNodes: 2 });
    const first = sotw(s, 'node-a');
    const second = sotw(s, 'node-a');
    second.subscribe('cluster');
    await second.next('cluster');
    await nackEndpoints(first, 'resource index 0: one');
    await waitFor(() => s.server.nacks()['node-a']?.length === 1);
    first.close();
    await waitFor(() => s.server.streams().length === 1);
    expect(s.server.nacks()['node-a']).toHaveLength(1); // node-a still has a stream

    for (const id of ['node-b', 'node-c']) {
      await nackEndpoints(sotw(s, id), 'resource index 0: two');
      await waitFor(() => s.server.nacks()[id] !== undefined);
    }
    // node-a NACKed least recently: it made room for node-c.
    expect(Object.keys(s.server.nacks())).toEqual(['node-b', 'node-c']);

    second.close();
    await waitFor(() => s.server.streams().length === 2);
    expect(Object.keys(s.server.nacks())).toEqual(['node-b', 'node-c']);
  });

  it("drops a node's NACKs once its last stream is gone", async () => {
    const s = await server();
    const c = sotw(s, 'node-gone');
    await nackEndpoints(c, 'resource index 0: bad');
    await waitFor(() => s.server.nacks()['node-gone'] !== undefined);
    c.close();
    await waitFor(() => s.server.streams().length === 0);
    expect(s.server.nacks()).toEqual({});
  });
});
