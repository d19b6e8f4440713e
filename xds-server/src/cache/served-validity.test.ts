// What the server serves passes Envoy's validation rules: a resource that breaks them is refused
// (its last good version stays), a virtual host that breaks them is left out of its route table
// alone, and each problem names the objects that made it, publish after publish until fixed.
import { describe, expect, it } from 'vitest';
import { fleetOrigins, fleetResources, ROUTE_CONFIG } from '../test-support/fleet-fixtures.js';
import type { FleetResources, RouteConfiguration } from '../resources.js';
import { SnapshotCache } from './snapshot-cache.js';
import * as VHDS from './virtual-host-discovery.js';

const SPEC = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c2', '*': 'c2' }, endpoints: { c1: [1], c2: [2] } };

/** b.example.com's first route loses its path matcher: RouteMatch needs one (PGV oneof required). */
function withBrokenHost(resources: FleetResources): FleetResources {
  const [table] = resources.routeConfigurations;
  const broken: RouteConfiguration = structuredClone(table ?? {});
  const host = broken.virtual_hosts?.find((v) => v.domains?.includes('b.example.com'));
  const route = host?.routes?.[0];
  if (!route) throw new Error('fixture has no route for b.example.com');
  route.match = { headers: [] };
  return { ...resources, routeConfigurations: [broken] };
}

const hostsOf = (cache: SnapshotCache): string[] => {
  const table = cache.get('f').types.routeConfiguration.resources.get(ROUTE_CONFIG);
  return table ? [...table.bytes.toString('latin1').matchAll(/[a-z*]+\.example\.com|any-host/g)].map((m) => m[0]) : [];
};

describe('serving only what Envoy accepts', () => {
  it('leaves a broken virtual host out of its table, keeps the others, and reports it on every publish until fixed', () => {
    const cache = new SnapshotCache();
    const origins = fleetOrigins(SPEC);
    const first = cache.publish('f', withBrokenHost(fleetResources(SPEC)), origins);
    expect(first.problems).toEqual([
      {
        kind: 'routeConfiguration',
        name: ROUTE_CONFIG,
        virtualHost: 'b.example.com',
        message: expect.stringMatching(/^virtual host b\.example\.com breaks Envoy's validation rules: routes\[0\]\.match\.path_specifier: value is required.*; it is left out$/) as unknown,
        origins: ['Ingress default/c2'],
      },
    ]);
    expect(hostsOf(cache)).toContain('a.example.com');
    expect(hostsOf(cache)).not.toContain('b.example.com');

    // Unchanged input: nothing to re-encode, but the problem is still there, so it is still said.
    expect(cache.publish('f', withBrokenHost(fleetResources(SPEC)), origins).problems.map((p) => p.virtualHost)).toEqual(['b.example.com']);
    const fixed = cache.publish('f', fleetResources(SPEC), origins);
    expect(fixed.problems).toEqual([]);
    expect(fixed.changed).toContain('routeConfiguration');
    expect(hostsOf(cache)).toContain('b.example.com');
  });

  it('reports a broken host once when both views hold the table (each its own copy), on every publish', () => {
    const cache = new SnapshotCache();
    const origins = fleetOrigins(SPEC);
    const publish = (): string[] => {
      const broken = withBrokenHost(fleetResources(SPEC));
      const delta = { resources: { ...broken, routeConfigurations: structuredClone(broken.routeConfigurations) }, origins };
      return cache.publish('f', broken, origins, delta).problems.map((p) => `${p.name} ${p.virtualHost ?? ''}`);
    };
    expect(publish()).toEqual([`${ROUTE_CONFIG} b.example.com`]);
    expect(publish()).toEqual([`${ROUTE_CONFIG} b.example.com`]);
  });

  it('keeps the last good version of a host that an edit broke, in the SotW table and in the VHDS view alike', () => {
    const cache = new SnapshotCache();
    const origins = fleetOrigins(SPEC);
    const good = fleetResources(SPEC);
    const { withVirtualHostDiscovery } = VHDS;
    cache.publish('f', good, origins, withVirtualHostDiscovery(good, origins));
    const tableBefore = cache.get('f').types.routeConfiguration.resources.get(ROUTE_CONFIG)?.version;
    const hostBefore = cache.get('f').deltaTypes.virtualHost.resources.get(`${ROUTE_CONFIG}/b.example.com`)?.version;
    const broken = withBrokenHost(fleetResources(SPEC));
    const result = cache.publish('f', broken, origins, withVirtualHostDiscovery(broken, origins));
    // One problem, said once: the VHDS view's refusal of the same host would repeat it.
    expect(result.problems.map((p) => [p.kind, p.name, p.message])).toEqual([
      ['routeConfiguration', ROUTE_CONFIG, expect.stringMatching(/^virtual host b\.example\.com breaks Envoy's validation rules: .*; its last good version stays in service$/)],
    ]);
    expect(cache.get('f').types.routeConfiguration.resources.get(ROUTE_CONFIG)?.version).toBe(tableBefore);
    expect(cache.get('f').deltaTypes.virtualHost.resources.get(`${ROUTE_CONFIG}/b.example.com`)?.version).toBe(hostBefore);
    expect(hostsOf(cache)).toContain('b.example.com');
  });

  it('refuses a resource that breaks the rules and keeps serving its last good version', () => {
    const cache = new SnapshotCache();
    const origins = fleetOrigins(SPEC);
    cache.publish('f', fleetResources(SPEC), origins);
    const good = cache.get('f').types.cluster.resources.get('c1')?.version;
    const broken = fleetResources(SPEC);
    const [c1] = broken.clusters;
    if (!c1) throw new Error('fixture has no cluster');
    c1.connect_timeout = { seconds: -5 };
    const result = cache.publish('f', broken, origins);
    expect(result.problems).toEqual([
      { kind: 'cluster', name: 'c1', message: expect.stringMatching(/^breaks Envoy's validation rules: connect_timeout: .*; its last good version stays in service$/) as unknown, origins: ['Ingress default/c1'] },
    ]);
    expect(cache.get('f').types.cluster.resources.get('c1')?.version).toBe(good);
  });

  it('does not serve a new resource that breaks the rules at all', () => {
    const cache = new SnapshotCache();
    const broken = fleetResources(SPEC);
    const [c1] = broken.clusters;
    if (!c1) throw new Error('fixture has no cluster');
    c1.connect_timeout = { seconds: -5 };
    expect(cache.publish('f', broken, fleetOrigins(SPEC)).problems[0]?.message).toMatch(/it is not served$/);
    expect([...cache.get('f').types.cluster.resources.keys()]).toEqual(['c2']);
  });
});
