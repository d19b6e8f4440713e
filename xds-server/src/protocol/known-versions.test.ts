import { describe, expect, it } from 'vitest';
import { buildFleetSnapshot } from '../cache/fleet-snapshot.js';
import type { FleetSnapshot } from '../cache/fleet-snapshot.js';
import { virtualHostNamespace, withVirtualHostDiscovery } from '../cache/virtual-host-discovery.js';
import { ROUTE_CONFIG, fleetResources } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import { DeltaSubscription } from './delta-subscription.js';
import { KnownVersions } from './known-versions.js';

function snapshot(spec: FleetSpec, previous?: FleetSnapshot): FleetSnapshot {
  const resources = fleetResources(spec);
  return buildFleetSnapshot('f', { resources, origins: {} }, withVirtualHostDiscovery(resources, {}), previous).snapshot;
}

const ONE = { routes: { 'a.example.com': 'c1', '*': 'c2' }, endpoints: { c1: [1], c2: [2] } };
const TWO = { routes: { 'a.example.com': 'c1', '*': 'c3' }, endpoints: { c1: [1], c3: [3] } };

function held(known: KnownVersions, names: string[]): Record<string, string | null | undefined> {
  return Object.fromEntries(names.map((name) => [name, known.get(name)]));
}

describe('known versions of a Delta client', () => {
  it('holds what the shared base holds, with no entries of its own once in sync', () => {
    const clusters = snapshot(ONE).deltaTypes.cluster;
    const known = new KnownVersions(new DeltaSubscription('cluster'));
    for (const [name, resource] of clusters.resources) known.set(name, resource.version);
    expect(known.ownEntries).toBe(2);
    known.rebase(clusters);
    expect(known.ownEntries).toBe(0);
    expect(known.get('c1')).toBe(clusters.resources.get('c1')?.version);
    expect(known.has('c3')).toBe(false);
  });

  it('holds only what the subscription includes: narrowing forgets, a name subscribed again is held only once sent', () => {
    const endpoints = snapshot(ONE).deltaTypes.clusterLoadAssignment;
    const subscription = new DeltaSubscription('clusterLoadAssignment');
    subscription.update(['c1', 'c2'], []);
    const known = new KnownVersions(subscription);
    known.rebase(endpoints);
    subscription.update([], ['c2']);
    expect(held(known, ['c1', 'c2'])).toEqual({ c1: endpoints.resources.get('c1')?.version, c2: undefined });
    expect([...known.missingFrom(snapshot(TWO).deltaTypes.clusterLoadAssignment)]).toEqual([]);
  });

  it('keeps removals held back across a rebase, and tells them apart from what was removed', () => {
    const first = snapshot(ONE);
    const second = snapshot(TWO, first);
    const known = new KnownVersions(new DeltaSubscription('cluster'));
    known.rebase(first.deltaTypes.cluster);
    // The response added c3; removing c2 waits for routes to stop using it.
    expect([...known.missingFrom(second.deltaTypes.cluster)]).toEqual(['c2']);
    known.rebase(second.deltaTypes.cluster);
    expect(known.get('c2')).toBe(first.deltaTypes.cluster.resources.get('c2')?.version);
    expect([...known.missingFrom(second.deltaTypes.cluster)]).toEqual(['c2']);
    // Later the removal is sent.
    known.delete('c2');
    known.rebase(second.deltaTypes.cluster);
    expect(known.ownEntries).toBe(0);
    expect([...known.missingFrom(second.deltaTypes.cluster)]).toEqual([]);
  });

  it('keeps held-back removals when the base is not the previous snapshot (no difference to go by)', () => {
    const first = snapshot(ONE);
    const unrelated = snapshot(TWO); // built without `previous`: no `since`
    const known = new KnownVersions(new DeltaSubscription('cluster'));
    known.rebase(first.deltaTypes.cluster);
    known.rebase(unrelated.deltaTypes.cluster);
    expect([...known.missingFrom(unrelated.deltaTypes.cluster)]).toEqual(['c2']);
  });

  it('remembers names it told the client do not exist, across rebases', () => {
    const clusters = snapshot(ONE).deltaTypes.cluster;
    const known = new KnownVersions(new DeltaSubscription('cluster'));
    known.set('missing', null);
    known.rebase(clusters);
    expect(known.has('missing')).toBe(true);
    expect(known.get('missing')).toBeNull();
    expect([...known.missingFrom(clusters)]).toEqual([]);
  });

  it('detaches the base before a wildcard widens the subscription, keeping only what was held', () => {
    const clusters = snapshot(ONE).deltaTypes.cluster;
    const subscription = new DeltaSubscription('cluster');
    subscription.update(['c1'], []);
    const known = new KnownVersions(subscription);
    known.rebase(clusters);
    known.detachBase();
    subscription.update(['*'], []);
    expect(held(known, ['c1', 'c2'])).toEqual({ c1: clusters.resources.get('c1')?.version, c2: undefined });
  });

  it('holds none of a VHDS namespace subscribed anew', () => {
    const hosts = snapshot(ONE).deltaTypes.virtualHost;
    const subscription = new DeltaSubscription('virtualHost');
    subscription.update([ROUTE_CONFIG], []);
    const known = new KnownVersions(subscription);
    known.rebase(hosts);
    const [host = ''] = hosts.namespaces.get(ROUTE_CONFIG) ?? [];
    expect(virtualHostNamespace(host)).toBe(ROUTE_CONFIG);
    expect(known.has(host)).toBe(true);
    subscription.update([], [ROUTE_CONFIG]);
    expect(known.has(host)).toBe(false);
    subscription.update([ROUTE_CONFIG], []);
    known.forgetNamespace(ROUTE_CONFIG);
    expect(known.has(host)).toBe(false);
    known.rebase(hosts);
    expect(known.has(host)).toBe(true);
  });
});
