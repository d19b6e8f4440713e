// Protocol tests over real sockets with a raw ADS client: what grpc-js-xds does not exercise
// (wildcard, two fleets, stale nonces, NACK bookkeeping, restarts, ordering).
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ANY_HOST_LISTENER } from '../bootstrap/grpc-bootstrap.js';
import { grpcViewOf } from '../test-support/grpc-fixtures.js';
import { typeUrlOf } from '../protos/envoy-protos.js';
import type { NackEvent, NackResolvedEvent } from '../protocol/nack.js';
import { ROUTE_CONFIG, fleetOrigins, fleetResources, loadAssignment } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import type { RawAdsClient } from '../test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../test-support/raw-ads-client.js';
import { startTestServer, waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { testScope } from '../test-support/test-scope.js';

const NGINX: FleetSpec = {
  routes: { 'nginx1.example.com': 'default/nginx1/80', 'nginx2.example.com': 'default/nginx2/80', '*': 'default/nginx1/80' },
  endpoints: { 'default/nginx1/80': [50001], 'default/nginx2/80': [50002] },
};
const INTERNAL: FleetSpec = { routes: { 'api.internal': 'tools/api/8080' }, endpoints: { 'tools/api/8080': [50003] } };

const { start, sotwClient } = testScope();

const server = start;

const client = (address: string, id: string, cluster: string): RawAdsClient => sotwClient(address, { id, cluster });

function publish(s: TestServer, fleet: string, spec: FleetSpec): void {
  s.server.publishFleet(fleet, fleetResources(spec), fleetOrigins(spec), { grpc: grpcViewOf(fleetResources(spec), fleetOrigins(spec)) });
}

const names = (response: ReceivedResponse): string[] => response.resources.map((r) => r.name);

/** Acts like Envoy: wildcard CDS and LDS, ACKs, then subscribes to what those name. */
async function envoyHandshake(c: RawAdsClient): Promise<{ cds: ReceivedResponse; eds: ReceivedResponse; lds: ReceivedResponse; rds: ReceivedResponse }> {
  c.subscribe('cluster');
  const cds = await c.next('cluster');
  c.ack(cds);
  c.subscribe('clusterLoadAssignment', names(cds));
  const eds = await c.next('clusterLoadAssignment');
  c.ack(eds, names(cds));
  c.subscribe('listener');
  const lds = await c.next('listener');
  c.ack(lds);
  c.subscribe('routeConfiguration', [ROUTE_CONFIG]);
  const rds = await c.next('routeConfiguration');
  c.ack(rds, [ROUTE_CONFIG]);
  return { cds, eds, lds, rds };
}

describe('ADS server (state of the world)', () => {
  it('serves each fleet its own configuration, chosen by node.cluster', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    publish(s, 'internal', INTERNAL);
    const a = client(s.address, 'envoy-a', 'nginx');
    const b = client(s.address, 'envoy-b', 'internal');
    const [fromA, fromB] = await Promise.all([envoyHandshake(a), envoyHandshake(b)]);

    expect(names(fromA.cds)).toEqual(['default/nginx1/80', 'default/nginx2/80']);
    expect(names(fromB.cds)).toEqual(['tools/api/8080']);
    expect(names(fromA.eds)).toEqual(['default/nginx1/80', 'default/nginx2/80']);
    // Wildcard (Envoy) subscribers get the Envoy listener only, never the gRPC API listeners.
    expect(names(fromA.lds)).toEqual([ROUTE_CONFIG]);
    const domains = (fromB.rds.resources[0]?.object['virtual_hosts'] as { domains: string[] }[]).map((vh) => vh.domains[0]);
    expect(domains).toEqual(['api.internal']);
    expect(fromA.cds.versionInfo).not.toEqual(fromB.cds.versionInfo);
    expect(fromA.cds.controlPlane).toMatch(/^portico@/);
  });

  it('ends only the stream whose own work failed (a bug), with INTERNAL and an error log, and keeps serving the others', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const broken = client(s.address, 'envoy-broken', 'nginx');
    const healthy = client(s.address, 'envoy-healthy', 'nginx');
    await Promise.all([envoyHandshake(broken), envoyHandshake(healthy)]);
    // Reach the broken client's stream and make its push loop throw, as a bug in it would.
    type Served = { node?: { id: string }; status(): { types: Record<string, { ackedVersion?: string }> } };
    const open = (s.server as unknown as { open: Map<number, { stream: Served }> }).open;
    const stream = [...open.values()].find((o) => o.stream.node?.id === 'envoy-broken')?.stream;
    expect(stream).toBeDefined();
    // Once the server has taken the handshake's last ACK: no request of this client is left to end it.
    await waitFor(() => stream?.status().types[typeUrlOf('routeConfiguration')]?.ackedVersion, 2_000, 'the RDS ACK');
    (stream as unknown as { nextDue: () => never }).nextDue = () => {
      throw new Error('a bug in the stream machine');
    };

    publish(s, 'nginx', { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx1/80': [50001, 50004] } });
    const status = await broken.ended;
    expect(status.code).toBe(grpc.status.INTERNAL);
    expect(status.details).toBe('a bug in the stream machine');
    expect(s.events('xds.stream_failed')).toMatchObject([{ nodeId: 'envoy-broken', fleet: 'nginx', details: 'a bug in the stream machine' }]);
    const eds = await healthy.next('clusterLoadAssignment');
    expect(eds.resources.map((r) => r.name)).toEqual(['default/nginx1/80']);
  });

  it('gives an unknown fleet an empty configuration and logs one warning', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'envoy-x', 'no-such-class');
    c.subscribe('cluster');
    const cds = await c.next('cluster');
    c.ack(cds);
    c.subscribe('listener');
    const lds = await c.next('listener');
    c.ack(lds);
    expect(cds.resources).toEqual([]);
    expect(lds.resources).toEqual([]);
    expect(await c.quietFor(150)).toBe(true);
    expect(s.events('xds.unknown_fleet')).toHaveLength(1);
    expect(s.events('xds.unknown_fleet')[0]).toMatchObject({ nodeId: 'envoy-x', fleet: 'no-such-class', knownFleets: ['nginx'] });

    // When the fleet appears, the waiting client gets it without reconnecting.
    publish(s, 'no-such-class', INTERNAL);
    expect(names(await c.next('cluster'))).toEqual(['tools/api/8080']);
  });

  it('serves named subscriptions like a gRPC client makes them, including API listeners', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'grpc-1', 'nginx');
    c.subscribe('listener', ['nginx2.example.com']);
    const lds = await c.next('listener');
    expect(names(lds)).toEqual(['nginx2.example.com']);
    const hcm = (lds.resources[0]?.object['api_listener'] as { api_listener: Record<string, unknown> }).api_listener;
    expect(hcm['rds']).toMatchObject({ route_config_name: 'grpc:nginx2.example.com', config_source: { ads: {} } });
    c.ack(lds, ['nginx2.example.com']);

    // That host's own table: its virtual host only, so edits to other hosts send it nothing.
    c.subscribe('routeConfiguration', ['grpc:nginx2.example.com']);
    const rds = await c.next('routeConfiguration');
    expect((rds.resources[0]?.object['virtual_hosts'] as { name: string }[]).map((v) => v.name)).toEqual(['nginx2.example.com']);
    c.ack(rds, ['grpc:nginx2.example.com']);
    publish(s, 'nginx', { ...NGINX, routes: { ...NGINX.routes, 'nginx1.example.com': 'default/nginx2/80' } });
    expect(await c.quietFor(200)).toBe(true);

    // Adding a name re-sends the full subscribed set (LDS is full state).
    c.subscribe('listener', ['nginx2.example.com', ANY_HOST_LISTENER], lds);
    expect(names(await c.next('listener'))).toEqual(['nginx2.example.com', ANY_HOST_LISTENER]);
  });

  it('remembers names asked for before they exist and sends them when they appear', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'grpc-2', 'nginx');
    c.subscribe('listener', ['nginx3.example.com']);
    const empty = await c.next('listener');
    expect(empty.resources).toEqual([]);
    c.ack(empty, ['nginx3.example.com']);
    c.subscribe('clusterLoadAssignment', ['default/nginx3/80']);
    expect(await c.quietFor(100, 'clusterLoadAssignment')).toBe(true);

    publish(s, 'nginx', {
      routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx3/80' },
      endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50009] },
    });
    expect(names(await c.next('listener'))).toEqual(['nginx3.example.com']);
    expect(names(await c.next('clusterLoadAssignment'))).toEqual(['default/nginx3/80']);
  });

  it('does not answer an ACK, and sends only changed RDS/EDS resources', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'envoy-1', 'nginx');
    const { cds } = await envoyHandshake(c);
    expect(await c.quietFor(150)).toBe(true);

    publish(s, 'nginx', { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50012] } });
    const eds = await c.next('clusterLoadAssignment');
    expect(names(eds)).toEqual(['default/nginx2/80']);
    c.ack(eds, names(cds));
    expect(await c.quietFor(150)).toBe(true);
  });

  it('ignores a request carrying a stale nonce', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'grpc-3', 'nginx');
    c.subscribe('clusterLoadAssignment', ['default/nginx1/80']);
    const first = await c.next('clusterLoadAssignment');
    c.ack(first, ['default/nginx1/80']);
    await waitFor(() => s.server.streams()[0]?.types[typeUrlOf('clusterLoadAssignment')]?.ackedVersion === first.versionInfo);
    publish(s, 'nginx', { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx1/80': [50011] } });
    const second = await c.next('clusterLoadAssignment');

    // Answers the first response again, asking for a new name: superseded, so ignored.
    c.send({ type_url: typeUrlOf('clusterLoadAssignment'), resource_names: ['default/nginx1/80', 'default/nginx2/80'], response_nonce: first.nonce, version_info: first.versionInfo });
    expect(await c.quietFor(150)).toBe(true);
    await waitFor(async () => (await s.server.metrics.render()).includes('portico_xds_stale_nonce_requests_total{type_url="type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"} 1'));

    // The same change with the current nonce is honoured.
    c.send({ type_url: typeUrlOf('clusterLoadAssignment'), resource_names: ['default/nginx1/80', 'default/nginx2/80'], response_nonce: second.nonce, version_info: second.versionInfo });
    expect(names(await c.next('clusterLoadAssignment'))).toEqual(['default/nginx2/80']);
  });

  it('records a NACK once, traces it to its origins, keeps other resources updating, and sees the fix', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const nacks: NackEvent[] = [];
    const resolved: NackResolvedEvent[] = [];
    s.server.onNack((event) => nacks.push(event));
    s.server.onNackResolved((event) => resolved.push(event));
    const c = client(s.address, 'grpc-4', 'nginx');
    const subscribed = ['default/nginx1/80', 'default/nginx2/80'];
    c.subscribe('clusterLoadAssignment', subscribed);
    const good = await c.next('clusterLoadAssignment');
    c.ack(good, subscribed);

    // The reference's deterministic gRPC NACK trigger: a locality without `locality`.
    const broken = fleetResources(NGINX);
    broken.clusterLoadAssignments[0] = { cluster_name: 'default/nginx1/80', endpoints: [{}] };
    s.server.publishFleet('nginx', broken, fleetOrigins(NGINX), { grpc: grpcViewOf(broken, fleetOrigins(NGINX)) });
    const bad = await c.next('clusterLoadAssignment');
    expect(names(bad)).toEqual(['default/nginx1/80']);
    const message = 'xDS response validation errors: [resource index 0: LocalityLbEndpoints missing locality]';
    c.nack(bad, message, subscribed, good.versionInfo);
    c.nack(bad, message, subscribed, good.versionInfo); // a client repeating itself is not a new NACK

    await waitFor(() => nacks.length > 0);
    expect(nacks).toHaveLength(1);
    expect(nacks[0]).toMatchObject({
      nodeId: 'grpc-4',
      fleet: 'nginx',
      typeUrl: typeUrlOf('clusterLoadAssignment'),
      nonce: bad.nonce,
      rejectedVersion: bad.versionInfo,
      clientVersion: good.versionInfo,
      rejectedResources: ['default/nginx1/80'],
      errorMessage: message,
      origins: ['Ingress default/default/nginx1/80'],
    });
    expect(s.events('xds.nack')).toHaveLength(1);
    expect(await s.server.metrics.render()).toContain('portico_xds_nacks_total{type_url="type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",fleet="nginx"} 1');
    expect(s.server.nacks()['grpc-4']?.[0]?.nonce).toBe(bad.nonce);
    expect(await c.quietFor(150)).toBe(true); // the rejected version is not re-sent

    // Another resource still updates while the bad one stays bad.
    const stillBroken = fleetResources({ ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50022] } });
    stillBroken.clusterLoadAssignments[0] = { cluster_name: 'default/nginx1/80', endpoints: [{}] };
    s.server.publishFleet('nginx', stillBroken, fleetOrigins(NGINX), { grpc: grpcViewOf(stillBroken, fleetOrigins(NGINX)) });
    const other = await c.next('clusterLoadAssignment');
    expect(names(other)).toEqual(['default/nginx2/80']);
    c.ack(other, subscribed);

    // The fix goes out and its ACK resolves the NACK.
    publish(s, 'nginx', { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50022] } });
    const fixed = await c.next('clusterLoadAssignment');
    expect(names(fixed)).toEqual(['default/nginx1/80']);
    c.ack(fixed, subscribed);
    await waitFor(() => resolved.length > 0);
    expect(resolved[0]).toMatchObject({ nodeId: 'grpc-4', version: fixed.versionInfo, previous: { nonce: bad.nonce } });
    expect(s.server.nacks()['grpc-4']).toEqual([]);
  });

  it('hands out identical versions and bytes after a restart with the same configuration', async () => {
    const first = await startTestServer();
    publish(first, 'nginx', NGINX);
    const before = client(first.address, 'envoy-r', 'nginx');
    const handshakeBefore = await envoyHandshake(before);
    before.close();
    await first.server.shutdown(200);

    const second = await server();
    publish(second, 'nginx', NGINX);
    const after = client(second.address, 'envoy-r', 'nginx');
    const handshakeAfter = await envoyHandshake(after);
    for (const kind of ['cds', 'eds', 'lds', 'rds'] as const) {
      expect(handshakeAfter[kind].versionInfo).toBe(handshakeBefore[kind].versionInfo);
      expect(handshakeAfter[kind].resources).toEqual(handshakeBefore[kind].resources);
    }
  });

  it('never lets a client that stopped reading hold up others, and gives it only the newest state', async () => {
    // One push slot, so a stuck write could starve everybody if slots were never taken back. It is
    // taken back after pushHoldMs (1 s here; 2 s by default left no headroom under 2.5 s on 2 busy cores).
    const s = await server({ pushLimit: 1, pushHoldMs: 1_000 });
    // ~2,000 virtual hosts: each RouteConfiguration is larger than an HTTP/2 flow-control window.
    const big = (generation: number): FleetSpec => ({
      routes: Object.fromEntries(Array.from({ length: 2_000 }, (_, i) => [`host-${i}.gen-${generation}.example.com`, 'default/nginx1/80'])),
      endpoints: NGINX.endpoints,
    });
    publish(s, 'nginx', big(0));
    const slow = client(s.address, 'slow', 'nginx');
    const fast = client(s.address, 'fast', 'nginx');
    for (const c of [slow, fast]) {
      c.subscribe('routeConfiguration', [ROUTE_CONFIG]);
      c.ack(await c.next('routeConfiguration'), [ROUTE_CONFIG]);
    }
    slow.pause();
    const generations = 40;
    let latest: ReceivedResponse | undefined;
    let slowest = 0;
    for (let generation = 1; generation <= generations; generation++) {
      const published = Date.now();
      publish(s, 'nginx', big(generation));
      latest = await fast.next('routeConfiguration', 3_000);
      slowest = Math.max(slowest, Date.now() - published);
      fast.ack(latest, [ROUTE_CONFIG]);
    }
    expect(JSON.stringify(latest?.resources[0]?.object).includes(`gen-${generations}.`)).toBe(true);
    expect(slowest).toBeLessThan(2_500);

    slow.resume();
    const received: ReceivedResponse[] = [];
    for (;;) {
      const response = await slow.next('routeConfiguration', 3_000);
      received.push(response);
      slow.ack(response, [ROUTE_CONFIG]);
      if (response.versionInfo === latest?.versionInfo) break;
    }
    // What the client library had buffered before it stopped reading (grpc-js keeps up to 16
    // messages), then straight to the newest: the intermediate generations were coalesced away.
    expect(received.length).toBeLessThan(generations / 2);
  }, 60_000);

  it('pushes CDS, EDS, LDS, RDS in that order and re-sends endpoints of a changed cluster', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'envoy-2', 'nginx');
    const { cds } = await envoyHandshake(c);

    // Change a cluster (not its endpoints), a listener and the routes at once.
    const changed = fleetResources({ ...NGINX, routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx2/80' }, listenerPort: 8081 });
    changed.clusters[0] = { ...changed.clusters[0], connect_timeout: { seconds: 2 } };
    s.server.publishFleet('nginx', changed, fleetOrigins(NGINX), { grpc: grpcViewOf(changed, fleetOrigins(NGINX)) });

    const order: string[] = [];
    const newCds = await c.next(undefined);
    order.push(newCds.typeUrl);
    c.ack(newCds);
    for (let i = 0; i < 3; i++) {
      const response = await c.next(undefined);
      order.push(response.typeUrl);
      if (response.typeUrl === typeUrlOf('clusterLoadAssignment')) expect(names(response)).toEqual(['default/nginx1/80']);
      c.ack(response, response.typeUrl === typeUrlOf('routeConfiguration') ? [ROUTE_CONFIG] : response.typeUrl === typeUrlOf('clusterLoadAssignment') ? names(cds) : []);
    }
    expect(order).toEqual(['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration'].map((k) => typeUrlOf(k as 'cluster')));
  });

  it('holds listener and route updates until the client answers a cluster update', async () => {
    const s = await server({ clusterAckWaitMs: 400 });
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'envoy-3', 'nginx');
    const { cds } = await envoyHandshake(c);

    const withNewCluster = { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50003] } };
    publish(s, 'nginx', { ...withNewCluster, listenerPort: 8082 });
    const newCds = await c.next('cluster');
    expect(names(newCds)).toContain('default/nginx3/80');
    const heldAt = Date.now();
    // Not answering the CDS update: LDS waits for the answer, then goes anyway after the limit.
    c.ack(await c.next('listener', 2_000));
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(300);
    c.ack(newCds);
    expect(await c.quietFor(100)).toBe(true);

    publish(s, 'nginx', { ...withNewCluster, listenerPort: 8083 });
    // Answered promptly this time: nothing to wait for.
    const answeredAt = Date.now();
    c.ack(await c.next('listener'));
    expect(Date.now() - answeredAt).toBeLessThan(300);
    expect(names(cds)).not.toContain('default/nginx3/80');
  });

  it('removes a cluster only after the routes that used it were replaced', async () => {
    const s = await server();
    const before: FleetSpec = {
      routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx3/80' },
      endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50003] },
    };
    publish(s, 'nginx', before);
    const c = client(s.address, 'envoy-4', 'nginx');
    await envoyHandshake(c);

    // nginx3.example.com moves to nginx2, and the nginx3 cluster goes away.
    publish(s, 'nginx', { routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx2/80' }, endpoints: NGINX.endpoints });
    const rds = await c.next(undefined);
    expect(rds.typeUrl).toBe(typeUrlOf('routeConfiguration'));
    expect(JSON.stringify(rds.resources[0]?.object)).not.toContain('default/nginx3/80');
    c.ack(rds, [ROUTE_CONFIG]);
    const cds = await c.next(undefined);
    expect(cds.typeUrl).toBe(typeUrlOf('cluster'));
    expect(names(cds)).toEqual(['default/nginx1/80', 'default/nginx2/80']);
  });

  it('deletes a listener by leaving it out of the next full LDS response', async () => {
    const s = await server();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'grpc-5', 'nginx');
    c.subscribe('listener', ['nginx1.example.com', 'nginx2.example.com']);
    const lds = await c.next('listener');
    expect(names(lds)).toEqual(['nginx1.example.com', 'nginx2.example.com']);
    c.ack(lds, ['nginx1.example.com', 'nginx2.example.com']);
    publish(s, 'nginx', { ...NGINX, routes: { 'nginx1.example.com': 'default/nginx1/80', '*': 'default/nginx1/80' } });
    expect(names(await c.next('listener'))).toEqual(['nginx1.example.com']);
  });

  it('rejects a request without type_url', async () => {
    const s = await server();
    const c = client(s.address, 'bad', 'nginx');
    c.send({ resource_names: [] });
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('ends streams with OK on shutdown and refuses new ones', async () => {
    const s = await startTestServer();
    publish(s, 'nginx', NGINX);
    const c = client(s.address, 'envoy-s', 'nginx');
    await envoyHandshake(c);
    await s.server.shutdown(1_000);
    expect((await c.ended).code).toBe(grpc.status.OK);
    const late = client(s.address, 'envoy-late', 'nginx');
    late.subscribe('cluster');
    expect((await late.ended).code).toBe(grpc.status.UNAVAILABLE);
  });
});

it('builds a cluster load assignment fixture gRPC accepts', () => {
  expect(loadAssignment('c', [1]).endpoints?.[0]).toMatchObject({ locality: {}, load_balancing_weight: { value: 1 } });
});
