import { describe, expect, it } from 'vitest';
import { buildFleetSnapshot, originsOf } from './cache/fleet-snapshot.js';
import { virtualHostResourceName, withVirtualHostDiscovery } from './cache/virtual-host-discovery.js';
import { withGrpcView } from './grpc/grpc-view.js';
import { originsOverlaid, originsWhenRead } from './origins-when-read.js';
import type { OriginsRecipe } from './origins-when-read.js';
import { fleetOrigins, fleetResources, ROUTE_CONFIG } from './test-support/fleet-fixtures.js';
import type { FleetSpec } from './test-support/fleet-fixtures.js';
import { grpcViewOf } from './test-support/grpc-fixtures.js';

const SPEC: FleetSpec = { routes: { 'a.example.com': 'a', 'b.example.com': 'b', '*': 'a' }, endpoints: { a: [8081], b: [8082] } };

/** The fixture's origins, each kind built by a recipe that counts how often it ran. */
function countedOrigins(): { origins: ReturnType<typeof originsWhenRead>; built: Record<string, number> } {
  const given = fleetOrigins(SPEC);
  const built: Record<string, number> = {};
  const recipe: OriginsRecipe = {};
  for (const [kind, record] of Object.entries(given) as [keyof OriginsRecipe, Record<string, string[]>][]) {
    recipe[kind] = () => {
      built[kind] = (built[kind] ?? 0) + 1;
      return record;
    };
  }
  return { origins: originsWhenRead(recipe), built };
}

describe('originsWhenRead', () => {
  it('lists its kinds without building them, builds a kind on first read, and only once', () => {
    const { origins, built } = countedOrigins();
    expect(Object.keys(origins).sort()).toEqual(['cluster', 'clusterLoadAssignment', 'routeConfiguration', 'virtualHost']);
    expect(built).toEqual({});
    expect(origins.cluster).toEqual({ a: ['Ingress default/a'], b: ['Ingress default/b'] });
    expect(origins.cluster).toBe(origins.cluster);
    expect(built).toEqual({ cluster: 1 });
    // Spreading the whole reads every kind (what a reader of the whole record does).
    expect({ ...origins }).toEqual(fleetOrigins(SPEC));
    expect(built).toEqual({ cluster: 1, clusterLoadAssignment: 1, routeConfiguration: 1, virtualHost: 1 });
  });

  it('overlays without reading the base before a kind is read', () => {
    const { origins, built } = countedOrigins();
    const overlaid = originsOverlaid(origins, { listener: () => ({ l: ['IngressClass nginx'] }) });
    expect(Object.keys(overlaid).sort()).toEqual(['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration', 'virtualHost']);
    expect(built).toEqual({});
    expect(overlaid.listener).toEqual({ l: ['IngressClass nginx'] });
    expect(overlaid.virtualHost).toBe(origins.virtualHost);
    expect(built).toEqual({ virtualHost: 1 });
  });

  it('a publish with the gRPC view and VHDS builds no record; a NACK’s lookup builds what it reads', () => {
    const { origins, built } = countedOrigins();
    const resources = fleetResources(SPEC);
    const sotw = withGrpcView({ resources, origins }, grpcViewOf(resources, {}));
    const delta = withVirtualHostDiscovery(resources, origins);
    const { snapshot, problems } = buildFleetSnapshot('nginx', sotw, delta);
    expect(problems).toEqual([]);
    expect(built).toEqual({});
    // A virtual host resource the operator named origins for, then one it left to its table.
    expect(originsOf(snapshot, 'virtualHost', [virtualHostResourceName(ROUTE_CONFIG, 'a.example.com')])).toEqual(['Ingress default/a']);
    expect(originsOf(snapshot, 'cluster', ['b'])).toEqual(['Ingress default/b']);
    expect(built.virtualHost).toBe(1);
    expect(built.cluster).toBe(1);
  });
});
