// IR fleet → the Envoy resources it is served as, plus where each resource came from.
import type { FleetResources, ResourceOrigins } from '../../../xds-server/src/resources.js';
import { virtualHostResourceName } from '../../../xds-server/src/cache/virtual-host-discovery.js';
import type { IrFleet, IrVirtualHost } from '../ir/types.js';
import { compareStrings } from '../util/compare.js';
import { edsCluster, loadAssignment } from './cluster.js';
import { httpListener } from './listener.js';
import { routeConfiguration } from './route-configuration.js';

export function toFleetResources(fleet: IrFleet): { resources: FleetResources; origins: ResourceOrigins } {
  const routeConfigurationName = fleet.httpListener.name;
  const originsOf = (hosts: readonly IrVirtualHost[]): string[] =>
    [...new Set(hosts.flatMap((v) => [...v.routes, ...(v.fallthrough ?? [])].map((r) => r.origin)))].sort(compareStrings);
  const classRef = `IngressClass ${fleet.ingressClass}`;
  return {
    resources: {
      listeners: [httpListener(fleet.httpListener, fleet.http, routeConfigurationName)],
      routeConfigurations: [routeConfiguration(routeConfigurationName, fleet.virtualHosts)],
      clusters: fleet.clusters.map((cluster) => edsCluster(cluster, fleet.upstream)),
      clusterLoadAssignments: fleet.clusters.map(loadAssignment),
      secrets: [],
    },
    origins: {
      listener: { [fleet.httpListener.name]: [classRef] },
      routeConfiguration: { [routeConfigurationName]: originsOf(fleet.virtualHosts) },
      // Delta clients get each virtual host as a resource of its own (VHDS): a NACK of one names its Ingresses only.
      virtualHost: Object.fromEntries(fleet.virtualHosts.map((v) => [virtualHostResourceName(routeConfigurationName, v.host), originsOf([v])])),
      cluster: Object.fromEntries(fleet.clusters.map((c) => [c.name, c.origins])),
      clusterLoadAssignment: Object.fromEntries(fleet.clusters.map((c) => [c.name, c.origins])),
    },
  };
}
