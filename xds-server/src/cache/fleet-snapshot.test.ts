import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../protos/envoy-protos.js';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { encodeResponseBody, withNonce } from '../protocol/discovery-response.js';
import { messageType } from '../protos/envoy-protos.js';
import { buildFleetSnapshot } from './fleet-snapshot.js';
import type { BuiltSnapshot, FleetSnapshot } from './fleet-snapshot.js';
import { SnapshotCache } from './snapshot-cache.js';
import { withVirtualHostDiscovery } from './virtual-host-discovery.js';
import { sotwView } from '../test-support/grpc-fixtures.js';
import type { FleetResources } from '../resources.js';

/** Both views as the server builds them, without gRPC API listeners. */
function build(resources: FleetResources, previous?: FleetSnapshot): BuiltSnapshot {
  return buildFleetSnapshot('f', { resources, origins: {} }, withVirtualHostDiscovery(resources, {}), previous);
}

const SPEC = { routes: { 'a.example.com': 'c1', '*': 'c2' }, endpoints: { c1: [1], c2: [2] } };

describe('fleet snapshots', () => {
  it('versions resources by content, independent of build order and process', () => {
    const one = build(fleetResources(SPEC)).snapshot;
    const reversed = fleetResources(SPEC);
    reversed.clusters.reverse();
    const two = build(reversed).snapshot;
    expect(two.types.cluster.version).toBe(one.types.cluster.version);
    expect(one.types.cluster.version).toMatch(/^[0-9a-f]{16}$/);
    expect([...one.types.cluster.resources.keys()]).toEqual(['c1', 'c2']);
  });

  it('reuses the encoded bytes of unchanged resources across publishes', () => {
    const first = build(fleetResources(SPEC)).snapshot;
    const changed = fleetResources({ ...SPEC, endpoints: { c1: [1], c2: [3] } });
    const second = build(changed, first).snapshot;
    expect(second.types.clusterLoadAssignment.resources.get('c1')).toBe(first.types.clusterLoadAssignment.resources.get('c1'));
    expect(second.types.clusterLoadAssignment.resources.get('c2')).not.toBe(first.types.clusterLoadAssignment.resources.get('c2'));
    // A kind with nothing changed is the very same type snapshot (a publish costs what changed).
    expect(second.types.cluster).toBe(first.types.cluster);
    expect(second.types.cluster.version).toBe(first.types.cluster.version);
    expect(first.types.clusterLoadAssignment.since).toBeUndefined();
    expect(second.types.clusterLoadAssignment.since).toEqual({ fromVersion: first.types.clusterLoadAssignment.version, changed: ['c2'], removed: [] });
    const third = build(fleetResources({ ...SPEC, endpoints: { c1: [1] } }), second).snapshot;
    expect(third.types.clusterLoadAssignment.since).toMatchObject({ changed: [], removed: ['c2'] });
  });

  it('shares the kinds both views have alike, and keeps VHDS and gRPC API listeners each in its own view', () => {
    const base = fleetResources(SPEC);
    const sotw = sotwView(base, {});
    const { snapshot } = buildFleetSnapshot('f', sotw, withVirtualHostDiscovery(base, {}));
    expect(snapshot.deltaTypes.cluster).toBe(snapshot.types.cluster);
    expect(snapshot.deltaTypes.clusterLoadAssignment).toBe(snapshot.types.clusterLoadAssignment);
    expect([...snapshot.types.listener.resources.keys()]).toEqual(['a.example.com', 'ingress_http', 'portico:any-host']);
    expect([...snapshot.deltaTypes.listener.resources.keys()]).toEqual(['ingress_http']);
    expect([...snapshot.types.routeConfiguration.resources.keys()]).toEqual(['grpc:a.example.com', 'ingress_http']);
    expect([...snapshot.deltaTypes.routeConfiguration.resources.keys()]).toEqual(['ingress_http']);
    expect(snapshot.types.virtualHost.resources.size).toBe(0);
    expect([...snapshot.deltaTypes.virtualHost.resources.keys()]).toEqual(['ingress_http/a.example.com', 'ingress_http/any-host']);
    expect(snapshot.deltaTypes.virtualHost.namespaces.get('ingress_http')).toEqual(['ingress_http/a.example.com', 'ingress_http/any-host']);
  });

  it('without VHDS encodes each resource once for both views, though gRPC API listeners make the lists differ', () => {
    const base = fleetResources(SPEC);
    const sotw = sotwView(base, {});
    const { snapshot } = buildFleetSnapshot('f', sotw, { resources: base, origins: {} });
    expect(snapshot.deltaTypes.routeConfiguration).not.toBe(snapshot.types.routeConfiguration);
    expect(snapshot.deltaTypes.routeConfiguration.resources.get('ingress_http')).toBe(snapshot.types.routeConfiguration.resources.get('ingress_http'));
    expect(snapshot.deltaTypes.listener.resources.get('ingress_http')).toBe(snapshot.types.listener.resources.get('ingress_http'));
  });

  it('reports duplicate and unencodable resources and keeps serving the rest', () => {
    const resources = fleetResources(SPEC);
    resources.clusters.push({ ...resources.clusters[0], connect_timeout: { seconds: 9 } });
    resources.clusterLoadAssignments.push({ cluster_name: 'c3', endpoints: [{ priority: -1 as unknown as number }] });
    const { snapshot, problems } = build(resources);
    expect(problems.map((p) => `${p.kind} ${p.name}`)).toContain('cluster c1');
    expect(snapshot.types.cluster.resources.size).toBe(2);
  });

  it('takes a list handed over again as the very same array as the type it built, and reports its problems again', () => {
    const resources = fleetResources(SPEC);
    resources.clusterLoadAssignments.push({ cluster_name: 'c3', endpoints: [{ priority: -1 as unknown as number }] });
    const first = build(resources);
    const problem = first.problems.find((p) => p.kind === 'clusterLoadAssignment');
    expect(problem?.name).toBe('c3');
    // The same arrays again (what the operator's memo hands over when nothing moved).
    const again = build(resources, first.snapshot);
    expect(again.snapshot.types.clusterLoadAssignment).toBe(first.snapshot.types.clusterLoadAssignment);
    expect(again.snapshot.types.cluster).toBe(first.snapshot.types.cluster);
    expect(again.problems.filter((p) => p.kind === 'clusterLoadAssignment')).toEqual([problem]);
    // Another array of other objects is looked at, not taken on its identity.
    const fixed = { ...resources, clusterLoadAssignments: resources.clusterLoadAssignments.slice(0, 2) };
    const third = build(fixed, again.snapshot);
    expect(third.problems).toEqual([]);
    expect([...third.snapshot.types.clusterLoadAssignment.resources.keys()]).toEqual(['c1', 'c2']);
  });

  it('keeps each encoded resource in memory of its own, not in a slice of a shared pool slab', () => {
    const { snapshot } = build(fleetResources(SPEC));
    for (const type of [snapshot.types.cluster, snapshot.types.clusterLoadAssignment, snapshot.types.routeConfiguration, snapshot.deltaTypes.virtualHost]) {
      for (const resource of type.resources.values()) {
        // Small buffers are normally 8 KiB-slab slices; a kept one would pin its whole slab.
        for (const part of resource.responseParts) expect(part.buffer.byteLength).toBe(part.length);
        const field = Buffer.concat(resource.responseParts);
        expect(field.subarray(field.length - resource.bytes.length).equals(resource.bytes)).toBe(true);
        if (resource.responseParts.length === 1) expect(resource.bytes.buffer).toBe(resource.responseParts[0]?.buffer);
      }
    }
  });

  it('assembles DiscoveryResponses that decode to the original resources', () => {
    const { snapshot } = build(fleetResources(SPEC));
    const type = snapshot.types.cluster;
    const bytes = withNonce(encodeResponseBody({ versionInfo: type.version, typeUrl: type.typeUrl, controlPlaneId: 'cp' }, type.resources.values()), '7');
    const responseType = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    const decoded = responseType.toObject(responseType.decode(bytes), { arrays: true }) as {
      version_info: string;
      type_url: string;
      nonce: string;
      control_plane: { identifier: string };
      resources: { type_url: string; value: Uint8Array }[];
    };
    expect(decoded).toMatchObject({ version_info: type.version, type_url: type.typeUrl, nonce: '7', control_plane: { identifier: 'cp' } });
    expect(decoded.resources.map((r) => decodeMessage('envoy.config.cluster.v3.Cluster', r.value)['name'])).toEqual(['c1', 'c2']);
  });

  it('notifies only when some type version changed, and empties a removed fleet', () => {
    const cache = new SnapshotCache();
    const changes: string[][] = [];
    cache.onChange((_fleet, kinds) => changes.push([...kinds]));
    cache.publish('f', fleetResources(SPEC), {});
    expect(cache.publish('f', fleetResources(SPEC), {}).changed).toEqual([]);
    cache.publish('f', fleetResources({ ...SPEC, endpoints: { c1: [1], c2: [5] } }), {});
    cache.remove('f');
    expect(changes).toEqual([
      ['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration', 'virtualHost', 'secret'],
      ['clusterLoadAssignment'],
      ['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration'],
    ]);
    expect(cache.get('f').types.listener.resources.size).toBe(0);
  });
});
