import { describe, expect, it } from 'vitest';
import { sotwView } from '../test-support/grpc-fixtures.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { FleetResources } from '../resources.js';
import { fleetOrigins, fleetResources, loadAssignment } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import { publishAsServer, servedContent } from '../test-support/snapshot-fixtures.js';
import { RESOURCE_KINDS } from './fleet-snapshot.js';
import { SnapshotCache } from './snapshot-cache.js';
import { withVirtualHostDiscovery } from './virtual-host-discovery.js';

const SPEC: FleetSpec = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c3', '*': 'c2' }, endpoints: { c1: [1], c2: [2], c3: [3, 4] } };
const publish = (cache: SnapshotCache, resources: FleetResources, spec: FleetSpec = SPEC): void => publishAsServer(cache, resources, spec);

function changesTold(cache: SnapshotCache): ResourceKind[][] {
  const told: ResourceKind[][] = [];
  cache.onChange((_fleet, kinds) => void told.push([...kinds]));
  return told;
}

describe('SnapshotCache.updateResources', () => {
  it('serves exactly what a publish of the whole fleet with the same resources serves, and re-encodes only the update', () => {
    const incremental = new SnapshotCache();
    publish(incremental, fleetResources(SPEC));
    const before = incremental.get('f');
    const told = changesTold(incremental);
    const result = incremental.updateResources('f', 'clusterLoadAssignment', [loadAssignment('c3', [3, 5])]);
    expect(result.changed).toEqual(['clusterLoadAssignment']);
    expect(result.problems).toEqual([]);
    expect(told).toEqual([['clusterLoadAssignment']]);

    const after = incremental.get('f');
    const spec = { ...SPEC, endpoints: { ...SPEC.endpoints, c3: [3, 5] } };
    const full = new SnapshotCache();
    publish(full, fleetResources(spec), spec);
    expect(servedContent(after)).toEqual(servedContent(full.get('f')));
    expect(result.versions).toEqual(full.publish('f', sotwView(fleetResources(spec), fleetOrigins(spec)).resources, {}, withVirtualHostDiscovery(fleetResources(spec), {})).versions);

    // Only the updated resource is new; the other kinds are the very same type snapshots.
    const assignments = after.types.clusterLoadAssignment;
    expect(assignments.resources.get('c1')).toBe(before.types.clusterLoadAssignment.resources.get('c1'));
    expect(assignments.resources.get('c3')).not.toBe(before.types.clusterLoadAssignment.resources.get('c3'));
    expect(assignments.since).toEqual({ fromVersion: before.types.clusterLoadAssignment.version, changed: ['c3'], removed: [] });
    expect(after.deltaTypes.clusterLoadAssignment).toBe(assignments);
    for (const kind of RESOURCE_KINDS.filter((k) => k !== 'clusterLoadAssignment')) {
      expect(after.types[kind]).toBe(before.types[kind]);
      expect(after.deltaTypes[kind]).toBe(before.deltaTypes[kind]);
    }
    expect(after.origins).toBe(before.origins);
  });

  it('changes nothing, and tells nobody, when the update has the content already served', () => {
    const cache = new SnapshotCache();
    publish(cache, fleetResources(SPEC));
    const before = cache.get('f');
    const told = changesTold(cache);
    const result = cache.updateResources('f', 'clusterLoadAssignment', [loadAssignment('c1', [1])]);
    expect(result.changed).toEqual([]);
    expect(told).toEqual([]);
    expect(cache.get('f')).toBe(before);
  });

  it('adds and removes resources in name order, as a publish would', () => {
    const cache = new SnapshotCache();
    publish(cache, fleetResources(SPEC));
    cache.updateResources('f', 'clusterLoadAssignment', [loadAssignment('c0', [9])], ['c2']);
    const assignments = cache.get('f').types.clusterLoadAssignment;
    expect([...assignments.resources.keys()]).toEqual(['c0', 'c1', 'c3']);
    expect(assignments.wildcardNames).toEqual(['c0', 'c1', 'c3']);
    expect(assignments.since).toMatchObject({ changed: ['c0'], removed: ['c2'] });
    const full = new SnapshotCache();
    const resources = fleetResources(SPEC);
    resources.clusterLoadAssignments = [loadAssignment('c0', [9]), ...resources.clusterLoadAssignments.filter((c) => c.cluster_name !== 'c2')];
    publish(full, resources);
    expect(servedContent(cache.get('f'))).toEqual(servedContent(full.get('f')));
  });

  it('keeps the served version of a resource it cannot encode, and says so', () => {
    const cache = new SnapshotCache();
    publish(cache, fleetResources(SPEC));
    const before = cache.get('f');
    const broken = { cluster_name: 'c1', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '', port_value: 70000 } } } }] }] };
    const result = cache.updateResources('f', 'clusterLoadAssignment', [broken]);
    expect(result.changed).toEqual([]);
    expect(result.problems).toMatchObject([{ kind: 'clusterLoadAssignment', name: 'c1', origins: ['Ingress default/c1'] }]);
    expect(result.problems[0]?.message).toContain('its last good version stays in service');
    expect(cache.get('f').types.clusterLoadAssignment).toBe(before.types.clusterLoadAssignment);
  });

  it('replaces the origins it is given (of any kind), keeps the others, and tells nobody when only origins change', () => {
    const cache = new SnapshotCache();
    publish(cache, fleetResources(SPEC));
    const before = cache.get('f');
    const told = changesTold(cache);
    const origins = { cluster: { c1: ['EndpointSlice default/c1-a', 'Ingress default/c1'] }, clusterLoadAssignment: { c1: ['EndpointSlice default/c1-a', 'Ingress default/c1'] } };
    const result = cache.updateResources('f', 'clusterLoadAssignment', [loadAssignment('c1', [1])], [], origins);
    expect(result.changed).toEqual([]);
    expect(told).toEqual([]);
    const after = cache.get('f');
    expect(after.types).toBe(before.types);
    expect(after.origins.clusterLoadAssignment).toEqual({ ...before.origins.clusterLoadAssignment, ...origins.clusterLoadAssignment });
    expect(after.origins.cluster).toEqual({ ...before.origins.cluster, ...origins.cluster });
    expect(after.origins.routeConfiguration).toBe(before.origins.routeConfiguration);
    // The same lists again: nothing changes at all.
    cache.updateResources('f', 'clusterLoadAssignment', [], [], origins);
    expect(cache.get('f')).toBe(after);
  });

  it('keeps origins right through many updates, read or not (they are merged when read, or past a limit)', () => {
    const cache = new SnapshotCache();
    publish(cache, fleetResources(SPEC));
    const model = structuredClone(cache.get('f').origins) as Record<string, Record<string, string[]>>;
    for (let step = 0; step < 1_200; step++) {
      const name = `n${step % 700}`;
      const list = step % 5 === 4 ? [] : [`EndpointSlice default/${name}-${step}`];
      cache.updateResources('f', 'clusterLoadAssignment', [], [], { cluster: { [name]: list } });
      const cluster = (model['cluster'] ??= {});
      if (list.length === 0) delete cluster[name];
      else cluster[name] = list;
      if (step % 97 === 0 || step === 1_199) expect(cache.get('f').origins).toEqual(model);
    }
  });

  it('refuses kinds the views cut differently, and fleets never published', () => {
    const cache = new SnapshotCache();
    expect(() => cache.updateResources('f', 'clusterLoadAssignment', [loadAssignment('c1', [1])])).toThrow(/has not been published/);
    publish(cache, fleetResources(SPEC));
    expect(() => cache.updateResources('f', 'routeConfiguration', [])).toThrow(/publish the fleet/);
    expect(() => cache.updateResources('f', 'listener', [])).toThrow(/publish the fleet/);
  });
});
