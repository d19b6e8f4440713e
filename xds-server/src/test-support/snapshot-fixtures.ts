// Tests of the cache's two paths (full publishes, per-resource updates) publish and compare the
// same way: these two functions.
import type { FleetSnapshot } from '../cache/fleet-snapshot.js';
import { RESOURCE_KINDS } from '../cache/fleet-snapshot.js';
import type { SnapshotCache } from '../cache/snapshot-cache.js';
import { withVirtualHostDiscovery } from '../cache/virtual-host-discovery.js';
import type { FleetResources } from '../resources.js';
import { fleetOrigins } from './fleet-fixtures.js';
import type { FleetSpec } from './fleet-fixtures.js';
import { sotwView } from './grpc-fixtures.js';

/** Publishes fleet `f` as the server does: gRPC API listeners in the SotW view, VHDS in the Delta view. */
export function publishAsServer(cache: SnapshotCache, resources: FleetResources, spec: FleetSpec): void {
  const origins = fleetOrigins(spec);
  const sotw = sotwView(resources, origins);
  cache.publish('f', sotw.resources, sotw.origins, withVirtualHostDiscovery(resources, origins));
}

/** Everything a client could be told: per view and kind, the versions and each resource's bytes. */
export function servedContent(snapshot: FleetSnapshot): unknown {
  const view = (types: FleetSnapshot['types']): unknown =>
    Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, {
      version: types[kind].version,
      wildcardVersion: types[kind].wildcardVersion,
      wildcardNames: types[kind].wildcardNames,
      resources: [...types[kind].resources.values()].map((r) => [r.name, r.version, r.bytes.toString('hex'), r.inWildcard]),
    }]));
  return { sotw: view(snapshot.types), delta: view(snapshot.deltaTypes) };
}
