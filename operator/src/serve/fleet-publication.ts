// Publishes a translated configuration: every fleet, and the removal of fleets that are gone.
// Shared by both modes, so standalone and cluster publish identically.
import type { FleetResources, ResourceOrigins } from '../../../xds-server/src/index.js';
import type { EnvoyConfig } from '../pipeline.js';

/** The part of the xDS server publishing needs. */
export interface FleetPublisher {
  publishFleet(fleet: string, resources: FleetResources, origins?: ResourceOrigins): { changed: readonly string[] };
  removeFleet(fleet: string): boolean;
}

export interface ServedFleet {
  fleet: string;
  ingressClass: string;
}

/** Returns the fleets now served and those whose configuration changed. */
export function publishConfig(publisher: FleetPublisher, config: EnvoyConfig, previouslyServed: readonly ServedFleet[]): { served: ServedFleet[]; changed: string[] } {
  const changed: string[] = [];
  for (const fleet of config.fleets) {
    if (publisher.publishFleet(fleet.fleet, fleet.resources, fleet.origins).changed.length > 0) changed.push(fleet.fleet);
  }
  const current = new Set(config.fleets.map((f) => f.fleet));
  for (const old of previouslyServed) {
    if (!current.has(old.fleet) && publisher.removeFleet(old.fleet)) changed.push(old.fleet);
  }
  return { served: config.fleets.map((f) => ({ fleet: f.fleet, ingressClass: f.ingressClass })), changed };
}
