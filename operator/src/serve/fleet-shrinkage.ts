// Spots a reload that takes most of a fleet away. The manifest folder is the source of truth, so
// such a reload is still applied (refusing it would leave the folder and what is served
// disagreeing, with no way to delete on purpose), but it is exactly what an emptied or
// half-written file looks like, so it is worth a loud line in the log.
import type { FleetResources } from '../../../xds-server/src/index.js';

export interface FleetSize {
  listeners: number;
  clusters: number;
  virtualHosts: number;
}

export interface Shrinkage {
  fleet: string;
  before: FleetSize;
  after: FleetSize;
}

const NOTHING: FleetSize = { listeners: 0, clusters: 0, virtualHosts: 0 };

export function fleetSize(resources: FleetResources): FleetSize {
  return {
    listeners: resources.listeners.length,
    clusters: resources.clusters.length,
    virtualHosts: resources.routeConfigurations.reduce((sum, table) => sum + (table.virtual_hosts?.length ?? 0), 0),
  };
}

/** Fleets that lose every listener, or more than half their virtual hosts or clusters (a fleet that is gone has nothing left). */
export function largeRemovals(before: ReadonlyMap<string, FleetSize>, after: ReadonlyMap<string, FleetSize>): Shrinkage[] {
  const removals: Shrinkage[] = [];
  for (const [fleet, was] of before) {
    const now = after.get(fleet) ?? NOTHING;
    const lost = (field: keyof FleetSize): boolean => now[field] < was[field] / 2;
    if ((was.listeners > 0 && now.listeners === 0) || lost('virtualHosts') || lost('clusters')) removals.push({ fleet, before: was, after: now });
  }
  return removals;
}
