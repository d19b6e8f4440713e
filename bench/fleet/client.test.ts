// The simulated Envoy (client.ts) against Portico's real xDS server: it becomes ready over both
// protocols, opens its stream again when it ends before it was ready, and stays ended after.
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fleetOrigins, fleetResources } from '../../xds-server/src/test-support/fleet-fixtures.js';
import { grpcViewOf } from '../../xds-server/src/test-support/grpc-fixtures.js';
import { startTestServer, waitFor } from '../../xds-server/src/test-support/test-server.js';
import type { TestServer } from '../../xds-server/src/test-support/test-server.js';
import { FleetClient, FleetTally, connect } from './client.js';

const SPEC = { routes: { 'a.example.com': 'a' }, endpoints: { a: [8080] } };
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function xdsServer(): Promise<TestServer> {
  const s = await startTestServer();
  cleanups.push(() => s.server.shutdown(0));
  const resources = fleetResources(SPEC);
  s.server.publishFleet('f', resources, fleetOrigins(SPEC), { grpc: grpcViewOf(resources, fleetOrigins(SPEC)) });
  return s;
}

/** An HTTP/2 server that ends every stream at once, as a reset connection would. */
async function resettingServer(): Promise<string> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each(['sotw', 'delta'] as const)('FleetClient, %s', (protocol) => {
  it('subscribes like Envoy and becomes ready', async () => {
    const s = await xdsServer();
    const tally = new FleetTally();
    const client = new FleetClient({ id: 'envoy-1', cluster: 'f' }, protocol, connect(s.address), tally);
    cleanups.push(() => client.close());
    await waitFor(() => client.ready, 5_000, 'the client to be ready');
    expect(tally).toMatchObject({ clients: 1, ready: 1, reconnects: 0, ended: 0 });
    expect(client.answered.size).toBeGreaterThanOrEqual(4);
  });

  it('opens its stream again when it ends before the client was ready; once ready, an end is final', async () => {
    const s = await xdsServer();
    const refusing = connect(await resettingServer());
    const serving = connect(s.address);
    let opened = 0;
    const tally = new FleetTally();
    const client = new FleetClient({ id: 'envoy-2', cluster: 'f' }, protocol, () => (opened++ === 0 ? refusing() : serving()), tally);
    cleanups.push(() => client.close());
    await waitFor(() => client.ready, 5_000, 'the client to be ready');
    expect(opened).toBe(2);
    expect(tally).toMatchObject({ ready: 1, reconnects: 1, ended: 0 });
    expect(client.status).toBeUndefined();

    await s.server.shutdown(0);
    await waitFor(() => client.status, 5_000, 'the stream to end');
    expect(opened).toBe(2);
    expect(tally).toMatchObject({ reconnects: 1, ended: 1 });
  });
});
