// Delta (incremental) ADS over real sockets with a raw client: subscribe, unsubscribe, removals,
// names that do not exist, reconnects with initial_resource_versions, NACKs, ordering and size.
import { describe, expect, it } from 'vitest';
import { ANY_HOST_LISTENER } from '../bootstrap/grpc-bootstrap.js';
import { grpcViewOf } from '../test-support/grpc-fixtures.js';
import { typeUrlOf } from '../protos/envoy-protos.js';
import type { NackEvent, NackResolvedEvent } from '../protocol/nack.js';
import type { PublishOptions } from './xds-server.js';
import { ROUTE_CONFIG, fleetOrigins, fleetResources } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import type { RawDeltaClient } from '../test-support/raw-delta-client.js';
import type { DeltaReceivedResponse } from '../test-support/raw-delta-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { testScope } from '../test-support/test-scope.js';

const NGINX: FleetSpec = {
  routes: { 'nginx1.example.com': 'default/nginx1/80', 'nginx2.example.com': 'default/nginx2/80', '*': 'default/nginx1/80' },
  endpoints: { 'default/nginx1/80': [50001], 'default/nginx2/80': [50002] },
};
const CLUSTERS = ['default/nginx1/80', 'default/nginx2/80'];

const { start, sotwClient, deltaClient } = testScope();

const server = start;

const client = (address: string, id: string, cluster = 'nginx'): RawDeltaClient => deltaClient(address, { id, cluster });

/** Most of this suite is about VHDS, which a fleet opts into (the default is whole route tables). */
const WITH_VHDS = { virtualHostDiscovery: true };

function publish(s: TestServer, spec: FleetSpec, options: PublishOptions = WITH_VHDS): void {
  s.server.publishFleet('nginx', fleetResources(spec), fleetOrigins(spec), { ...options, grpc: grpcViewOf(fleetResources(spec), fleetOrigins(spec)) });
}

const names = (response: DeltaReceivedResponse): string[] => response.resources.map((r) => r.name);
const versions = (...responses: DeltaReceivedResponse[]): Record<string, string> =>
  Object.fromEntries(responses.flatMap((r) => r.resources.map((resource) => [resource.name, resource.version])));

type Handshake = Record<'cds' | 'eds' | 'lds' | 'rds' | 'vhds', DeltaReceivedResponse>;
const VHOSTS = ['nginx1.example.com', 'nginx2.example.com', 'any-host'].map((h) => `${ROUTE_CONFIG}/${h}`).sort();
const vhost = (host: string): string => `${ROUTE_CONFIG}/${host}`;

/**
 * Acts like Envoy: wildcard CDS and LDS (legacy form), ACKs, then subscribes to what they name;
 * for a RouteConfiguration with VHDS, to its virtual hosts by the route configuration's name.
 */
async function envoyHandshake(c: RawDeltaClient): Promise<Handshake> {
  c.subscribe('cluster');
  const cds = await c.next('cluster');
  c.ack(cds);
  c.subscribe('clusterLoadAssignment', names(cds));
  const eds = await c.next('clusterLoadAssignment');
  c.ack(eds);
  c.subscribe('listener');
  const lds = await c.next('listener');
  c.ack(lds);
  c.subscribe('routeConfiguration', [ROUTE_CONFIG]);
  const rds = await c.next('routeConfiguration');
  c.ack(rds);
  c.subscribe('virtualHost', [ROUTE_CONFIG]);
  const vhds = await c.next('virtualHost');
  c.ack(vhds);
  return { cds, eds, lds, rds, vhds };
}

describe('Delta ADS server', () => {
  it('gives a wildcard subscriber every cluster and Envoy listener, with content-hash versions, and nothing in reply to ACKs', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'envoy-d1');
    const { cds, eds, lds, rds } = await envoyHandshake(c);
    expect(names(cds)).toEqual(CLUSTERS);
    expect(cds.removed).toEqual([]);
    expect(names(eds)).toEqual(CLUSTERS);
    expect(names(lds)).toEqual([ROUTE_CONFIG]);
    expect(names(rds)).toEqual([ROUTE_CONFIG]);
    expect(cds.resources[0]?.version).toMatch(/^[0-9a-f]{16}$/);
    expect(cds.controlPlane).toMatch(/^portico@/);
    expect(await c.quietFor(150)).toBe(true);
    expect(s.server.streams()[0]).toMatchObject({ protocol: 'delta', nodeId: 'envoy-d1', fleet: 'nginx' });
  });

  it('answers an unknown fleet with empty responses, so Envoy finishes its initial fetch', async () => {
    const s = await server();
    const c = client(s.address, 'envoy-d2', 'no-such-class');
    c.subscribe('cluster', ['*']);
    const cds = await c.next('cluster');
    expect(cds.resources).toEqual([]);
    expect(cds.removed).toEqual([]);
    c.ack(cds);
    expect(await c.quietFor(100)).toBe(true);
  });

  it('follows named subscribe and unsubscribe, re-sends a name subscribed again, and ignores phantom unsubscribes', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'envoy-d1b');
    c.subscribe('clusterLoadAssignment', ['default/nginx2/80']);
    const first = await c.next('clusterLoadAssignment');
    expect(names(first)).toEqual(['default/nginx2/80']);
    c.ack(first);

    c.subscribe('clusterLoadAssignment', ['default/nginx1/80']);
    const second = await c.next('clusterLoadAssignment');
    expect(names(second)).toEqual(['default/nginx1/80']);
    c.ack(second);

    // Unsubscribing (and a phantom unsubscribe) needs no answer; the name is no longer updated.
    c.subscribe('clusterLoadAssignment', [], ['default/nginx2/80', 'never-subscribed']);
    expect(await c.quietFor(150)).toBe(true);
    publish(s, { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50012] } });
    expect(await c.quietFor(150)).toBe(true);

    // Subscribing to a name the client already has sends it anyway.
    c.subscribe('clusterLoadAssignment', ['default/nginx1/80']);
    expect(names(await c.next('clusterLoadAssignment'))).toEqual(['default/nginx1/80']);
  });

  it('leaves the gRPC API listeners out of the Delta view (gRPC speaks only SotW)', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'grpc-d1');
    c.subscribe('listener', ['nginx2.example.com', ANY_HOST_LISTENER]);
    const response = await c.next('listener');
    expect(response.resources).toEqual([]);
    expect(response.removed).toEqual(['nginx2.example.com', ANY_HOST_LISTENER]);
  });

  it('reports a subscribed name that does not exist in removed_resources, then sends it when it appears', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'grpc-d2');
    c.subscribe('clusterLoadAssignment', ['default/nginx3/80', 'default/nginx1/80']);
    const first = await c.next('clusterLoadAssignment');
    expect(names(first)).toEqual(['default/nginx1/80']);
    expect(first.removed).toEqual(['default/nginx3/80']);
    c.ack(first);
    // Told once: an unrelated change does not repeat it.
    publish(s, { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50022] } });
    expect(await c.quietFor(150)).toBe(true);

    publish(s, { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50003] } });
    const appeared = await c.next('clusterLoadAssignment');
    expect(names(appeared)).toEqual(['default/nginx3/80']);
    expect(appeared.removed).toEqual([]);
  });

  it('removes a cluster with removed_resources, after the routes that used it were replaced', async () => {
    const s = await server();
    const before: FleetSpec = {
      routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx3/80' },
      endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50003] },
    };
    publish(s, before);
    const c = client(s.address, 'envoy-d3');
    await envoyHandshake(c);

    publish(s, { routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx2/80' }, endpoints: NGINX.endpoints });
    // Only the edited virtual host travels; the RouteConfiguration itself did not change.
    const vhds = await c.next(undefined);
    expect(vhds.typeUrl).toBe(typeUrlOf('virtualHost'));
    expect(names(vhds)).toEqual([vhost('nginx3.example.com')]);
    expect(JSON.stringify(vhds.resources[0]?.object)).not.toContain('default/nginx3/80');
    c.ack(vhds);
    const cds = await c.next(undefined);
    expect(cds.typeUrl).toBe(typeUrlOf('cluster'));
    expect(cds.resources).toEqual([]);
    expect(cds.removed).toEqual(['default/nginx3/80']);
    c.ack(cds);
    const eds = await c.next('clusterLoadAssignment');
    expect(eds.removed).toEqual(['default/nginx3/80']);
  });

  it('sends a reconnecting client nothing it already holds, and only what changed otherwise', async () => {
    const s = await server();
    publish(s, NGINX);
    const before = client(s.address, 'envoy-d4');
    const held = await envoyHandshake(before);
    before.close();

    // Same configuration: every initial version is current, so nothing is re-sent.
    const same = client(s.address, 'envoy-d4');
    same.subscribe('cluster', [], [], versions(held.cds));
    same.subscribe('clusterLoadAssignment', CLUSTERS, [], versions(held.eds));
    same.subscribe('listener', [], [], versions(held.lds));
    same.subscribe('routeConfiguration', [ROUTE_CONFIG], [], versions(held.rds));
    same.subscribe('virtualHost', [ROUTE_CONFIG], [], versions(held.vhds));
    expect(await same.quietFor(200)).toBe(true);
    same.close();

    // One endpoint changed and one cluster went away while the client was disconnected.
    publish(s, { routes: { '*': 'default/nginx1/80' }, endpoints: { ...NGINX.endpoints, 'default/nginx1/80': [50011] } });
    const after = client(s.address, 'envoy-d4');
    after.subscribe('cluster', [], [], { ...versions(held.cds), 'default/gone/80': 'feedfeedfeedfeed' });
    const cds = await after.next('cluster');
    expect(cds.resources).toEqual([]);
    expect(cds.removed).toEqual(['default/gone/80']);
    after.ack(cds);
    after.subscribe('clusterLoadAssignment', CLUSTERS, [], versions(held.eds));
    const eds = await after.next('clusterLoadAssignment');
    expect(names(eds)).toEqual(['default/nginx1/80']);
    after.ack(eds);
    after.subscribe('listener', [], [], versions(held.lds));
    expect(await after.quietFor(150, 'listener')).toBe(true);
    after.subscribe('routeConfiguration', [ROUTE_CONFIG], [], versions(held.rds));
    expect(await after.quietFor(150, 'routeConfiguration')).toBe(true);
    // Two hosts went away; the catch-all is unchanged and not re-sent.
    after.subscribe('virtualHost', [ROUTE_CONFIG], [], versions(held.vhds));
    const vhds = await after.next('virtualHost');
    expect(vhds.resources).toEqual([]);
    expect(vhds.removed).toEqual([vhost('nginx1.example.com'), vhost('nginx2.example.com')]);
  });

  it('sends exactly the one resource that changed', async () => {
    const s = await server();
    const many: FleetSpec = {
      routes: { '*': 'default/svc0/80' },
      endpoints: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`default/svc${i}/80`, [51000 + i]])),
    };
    publish(s, many);
    const c = client(s.address, 'envoy-d5');
    const { eds } = await envoyHandshake(c);
    expect(eds.resources).toHaveLength(50);

    publish(s, { ...many, endpoints: { ...many.endpoints, 'default/svc7/80': [52007] } });
    const change = await c.next('clusterLoadAssignment');
    expect(names(change)).toEqual(['default/svc7/80']);
    expect(change.removed).toEqual([]);
    expect(change.bytes.length).toBeLessThan(eds.bytes.length / 20);
    c.ack(change);
    expect(await c.quietFor(150)).toBe(true);
  });

  it('pushes CDS, EDS, LDS, VHDS in that order and re-sends endpoints of a changed cluster', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'envoy-d6');
    await envoyHandshake(c);

    const changed = fleetResources({ ...NGINX, routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx2/80' }, listenerPort: 8081 });
    changed.clusters[0] = { ...changed.clusters[0], connect_timeout: { seconds: 2 } };
    s.server.publishFleet('nginx', changed, fleetOrigins(NGINX), { ...WITH_VHDS, grpc: grpcViewOf(changed, fleetOrigins(NGINX)) });

    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await c.next(undefined);
      order.push(response.typeUrl);
      if (response.typeUrl === typeUrlOf('cluster')) expect(names(response)).toEqual(['default/nginx1/80']);
      if (response.typeUrl === typeUrlOf('clusterLoadAssignment')) expect(names(response)).toEqual(['default/nginx1/80']);
      c.ack(response);
    }
    expect(order).toEqual(['cluster', 'clusterLoadAssignment', 'listener', 'virtualHost'].map((k) => typeUrlOf(k as 'cluster')));
  });

  it('holds listener updates until the client answers a cluster update, at most clusterAckWaitMs', async () => {
    const s = await server({ clusterAckWaitMs: 400 });
    publish(s, NGINX);
    const c = client(s.address, 'envoy-d8');
    await envoyHandshake(c);

    publish(s, { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50003] }, listenerPort: 8082 });
    const cds = await c.next('cluster');
    expect(names(cds)).toEqual(['default/nginx3/80']);
    const heldAt = Date.now();
    const lds = await c.next('listener', 2_000);
    expect(Date.now() - heldAt).toBeGreaterThanOrEqual(300);
    c.ack(lds);
    c.ack(cds);
    expect(await c.quietFor(100)).toBe(true);
  });

  it('reports a NACK with its origins, keeps other resources and types updating, and sees the fix', async () => {
    const s = await server();
    publish(s, NGINX);
    const nacks: NackEvent[] = [];
    const resolved: NackResolvedEvent[] = [];
    s.server.onNack((event) => nacks.push(event));
    s.server.onNackResolved((event) => resolved.push(event));
    const c = client(s.address, 'envoy-d7');
    const { eds } = await envoyHandshake(c);

    const broken = fleetResources(NGINX);
    broken.clusterLoadAssignments[0] = { cluster_name: 'default/nginx1/80', endpoints: [{}] };
    s.server.publishFleet('nginx', broken, fleetOrigins(NGINX), { ...WITH_VHDS, grpc: grpcViewOf(broken, fleetOrigins(NGINX)) });
    const bad = await c.next('clusterLoadAssignment');
    expect(names(bad)).toEqual(['default/nginx1/80']);
    // Envoy quotes the name of the resource it rejects.
    const message = "default/nginx1/80: Proto constraint validation failed (LocalityLbEndpoints missing locality)";
    c.nack(bad, message);
    await waitFor(() => nacks.length > 0);
    expect(nacks[0]).toMatchObject({
      nodeId: 'envoy-d7',
      fleet: 'nginx',
      typeUrl: typeUrlOf('clusterLoadAssignment'),
      nonce: bad.nonce,
      rejectedVersion: bad.systemVersionInfo,
      clientVersion: eds.systemVersionInfo,
      rejectedResources: ['default/nginx1/80'],
      errorCode: 13,
      errorMessage: message,
      origins: ['Ingress default/default/nginx1/80'],
    });
    expect(s.events('xds.nack')).toHaveLength(1);
    expect(await s.server.metrics.render()).toContain('portico_xds_nacks_total{type_url="type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",fleet="nginx"} 1');
    expect(s.server.nacks()['envoy-d7']?.[0]?.nonce).toBe(bad.nonce);
    expect(await c.quietFor(150)).toBe(true); // the rejected version is not re-sent

    // Another resource of the type, and another type, still update; the NACK stays unresolved.
    const stillBroken = fleetResources({ ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50022] }, listenerPort: 8090 });
    stillBroken.clusterLoadAssignments[0] = { cluster_name: 'default/nginx1/80', endpoints: [{}] };
    s.server.publishFleet('nginx', stillBroken, fleetOrigins(NGINX), { ...WITH_VHDS, grpc: grpcViewOf(stillBroken, fleetOrigins(NGINX)) });
    const other = await c.next('clusterLoadAssignment');
    expect(names(other)).toEqual(['default/nginx2/80']);
    c.ack(other);
    const lds = await c.next('listener');
    expect(names(lds)).toEqual([ROUTE_CONFIG]);
    c.ack(lds);
    expect(await c.quietFor(100)).toBe(true);
    expect(resolved).toEqual([]);

    publish(s, { ...NGINX, endpoints: { ...NGINX.endpoints, 'default/nginx2/80': [50022] }, listenerPort: 8090 });
    const fixed = await c.next('clusterLoadAssignment');
    expect(names(fixed)).toEqual(['default/nginx1/80']);
    c.ack(fixed);
    await waitFor(() => resolved.length > 0);
    expect(resolved[0]).toMatchObject({ nodeId: 'envoy-d7', version: fixed.systemVersionInfo, previous: { nonce: bad.nonce } });
    expect(s.server.nacks()['envoy-d7']).toEqual([]);
  });

  it('by default sends Delta clients whole RouteConfigurations over RDS (no vhds field, no VirtualHost resources)', async () => {
    const s = await server();
    publish(s, NGINX, {});
    const c = client(s.address, 'envoy-plain');
    c.subscribe('listener');
    c.ack(await c.next('listener'));
    c.subscribe('routeConfiguration', [ROUTE_CONFIG]);
    const rds = await c.next('routeConfiguration');
    expect(rds.resources[0]?.object).not.toHaveProperty('vhds');
    expect((rds.resources[0]?.object as { virtual_hosts: unknown[] }).virtual_hosts).toHaveLength(3);
    c.ack(rds);

    // A one-host edit is the whole table again: the cost VHDS saves, for Envoys that accept it.
    publish(s, { ...NGINX, routes: { ...NGINX.routes, 'nginx3.example.com': 'default/nginx2/80' } }, {});
    const change = await c.next(undefined);
    expect(change.typeUrl).toBe(typeUrlOf('routeConfiguration'));
    expect((change.resources[0]?.object as { virtual_hosts: unknown[] }).virtual_hosts).toHaveLength(4);
    c.ack(change);
    c.subscribe('virtualHost', [ROUTE_CONFIG]);
    const none = await c.next('virtualHost');
    expect(none.resources).toEqual([]);
  });

  it('splits the route table with VHDS: the RouteConfiguration has no virtual hosts, and a one-host edit sends only that host', async () => {
    const s = await server();
    const hosts = Array.from({ length: 40 }, (_, i) => `app${i}.example.com`);
    const wide: FleetSpec = { routes: Object.fromEntries(hosts.map((h) => [h, 'default/nginx1/80'])), endpoints: NGINX.endpoints };
    publish(s, wide);
    const c = client(s.address, 'envoy-v1');
    const { rds, vhds } = await envoyHandshake(c);
    expect(rds.resources[0]?.object).toMatchObject({ name: ROUTE_CONFIG, vhds: { config_source: { ads: {} } } });
    expect(rds.resources[0]?.object).not.toHaveProperty('virtual_hosts');
    expect(names(vhds)).toEqual(hosts.map(vhost).sort());
    expect(vhds.resources[0]?.object).toMatchObject({ name: vhds.resources[0]?.name });

    publish(s, { ...wide, routes: { ...wide.routes, 'app7.example.com': 'default/nginx2/80' } });
    const change = await c.next(undefined);
    expect(change.typeUrl).toBe(typeUrlOf('virtualHost'));
    expect(names(change)).toEqual([vhost('app7.example.com')]);
    expect(change.bytes.length).toBeLessThan(vhds.bytes.length / 20);
    c.ack(change);
    expect(await c.quietFor(150)).toBe(true);

    // A SotW client of the same fleet still gets the whole table (VHDS is Delta-only; gRPC clients speak SotW).
    const sotw = sotwClient(s.address, { id: 'envoy-sotw', cluster: 'nginx' });
    sotw.subscribe('routeConfiguration', [ROUTE_CONFIG]);
    const whole = await sotw.next('routeConfiguration');
    expect(whole.resources[0]?.object).not.toHaveProperty('vhds');
    expect(JSON.stringify(whole.resources[0]?.object)).toContain('"app7.example.com"');
    expect((whole.resources[0]?.object as { virtual_hosts: unknown[] }).virtual_hosts).toHaveLength(40);
  });

  it('adds and removes virtual hosts as hosts come and go, and forgets a namespace the client unsubscribes', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'envoy-v2');
    const { vhds } = await envoyHandshake(c);
    expect(names(vhds)).toEqual(VHOSTS);

    publish(s, { routes: { 'nginx1.example.com': 'default/nginx1/80', 'nginx3.example.com': 'default/nginx2/80', '*': 'default/nginx1/80' }, endpoints: NGINX.endpoints });
    const change = await c.next('virtualHost');
    expect(names(change)).toEqual([vhost('nginx3.example.com')]);
    expect(change.removed).toEqual([vhost('nginx2.example.com')]);
    c.ack(change);

    c.subscribe('virtualHost', [], [ROUTE_CONFIG]);
    expect(await c.quietFor(150)).toBe(true);
    publish(s, NGINX);
    expect(await c.quietFor(150, 'virtualHost')).toBe(true);
    // Subscribing again sends the whole namespace: the client dropped it.
    c.subscribe('virtualHost', [ROUTE_CONFIG]);
    expect(names(await c.next('virtualHost'))).toEqual(VHOSTS);
  });

  it('sends every change to a client that missed publishes while a response was in flight', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'envoy-v4');
    await envoyHandshake(c);
    // Three publishes before the client answers anything: one host changes, one goes, one comes.
    publish(s, { ...NGINX, routes: { ...NGINX.routes, 'nginx1.example.com': 'default/nginx2/80' } });
    const first = await c.next('virtualHost');
    publish(s, { ...NGINX, routes: { 'nginx1.example.com': 'default/nginx2/80', '*': 'default/nginx1/80' } });
    publish(s, { ...NGINX, routes: { 'nginx1.example.com': 'default/nginx2/80', 'nginx4.example.com': 'default/nginx1/80', '*': 'default/nginx1/80' } });
    expect(names(first)).toEqual([vhost('nginx1.example.com')]);
    c.ack(first);
    const second = await c.next('virtualHost');
    expect(names(second)).toEqual([vhost('nginx4.example.com')]);
    expect(second.removed).toEqual([vhost('nginx2.example.com')]);
    c.ack(second);
    expect(await c.quietFor(150)).toBe(true);
    // The next single change goes by the publish's own difference.
    publish(s, { ...NGINX, routes: { 'nginx1.example.com': 'default/nginx1/80', 'nginx4.example.com': 'default/nginx1/80', '*': 'default/nginx1/80' } });
    const third = await c.next('virtualHost');
    expect(names(third)).toEqual([vhost('nginx1.example.com')]);
    expect(third.removed).toEqual([]);
  });

  it('traces a NACKed virtual host to the Ingress that made that host only', async () => {
    const s = await server();
    publish(s, NGINX);
    const nacks: NackEvent[] = [];
    s.server.onNack((event) => nacks.push(event));
    const c = client(s.address, 'envoy-v3');
    await envoyHandshake(c);
    publish(s, { ...NGINX, routes: { ...NGINX.routes, 'nginx2.example.com': 'default/nginx3/80' }, endpoints: { ...NGINX.endpoints, 'default/nginx3/80': [50003] } });
    for (;;) {
      const response = await c.next(undefined);
      if (response.typeUrl !== typeUrlOf('virtualHost')) {
        c.ack(response);
        continue;
      }
      expect(names(response)).toEqual([vhost('nginx2.example.com')]);
      c.nack(response, `${vhost('nginx2.example.com')}: route: unknown cluster 'default/nginx3/80'`);
      break;
    }
    await waitFor(() => nacks.length > 0);
    expect(nacks[0]).toMatchObject({ typeUrl: typeUrlOf('virtualHost'), rejectedResources: [vhost('nginx2.example.com')], origins: ['Ingress default/default/nginx3/80'] });
  });

  it('honours a subscription change that carries a stale nonce', async () => {
    const s = await server();
    publish(s, NGINX);
    const c = client(s.address, 'grpc-d3');
    c.subscribe('clusterLoadAssignment', ['default/nginx1/80']);
    const first = await c.next('clusterLoadAssignment');
    c.ack(first);
    c.send({ type_url: typeUrlOf('clusterLoadAssignment'), response_nonce: first.nonce, resource_names_subscribe: ['default/nginx2/80'] });
    expect(names(await c.next('clusterLoadAssignment'))).toEqual(['default/nginx2/80']);
    await waitFor(async () => (await s.server.metrics.render()).includes('portico_xds_stale_nonce_requests_total{type_url="type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"} 1'));
  });
});
