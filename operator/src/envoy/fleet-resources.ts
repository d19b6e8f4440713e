// IR fleet → the Envoy resources it is served as, plus where each resource came from.
import type { FleetResources, ResourceOrigins, RouteConfiguration } from '../../../xds-server/src/index.js';
import { originsWhenRead, virtualHostResourceName } from '../../../xds-server/src/index.js';
import type { IrCertificate, IrCluster, IrFleet, IrUpstreamOptions, IrVirtualHost } from '../ir/types.js';
import { compareStrings } from '../util/compare.js';
import { EDS_CLUSTERS, loadAssignments } from './cluster.js';
import { httpFilters } from './http-filters/index.js';
import { httpsListener } from './https-listener.js';
import { Memo } from '../util/memo.js';
import { httpListener } from './listener.js';
import { routeConfiguration } from './route-configuration.js';
import { tlsSecret } from './secret.js';

/** The Ingresses whose routes a virtual host holds, sorted: the same array for the same IR host. */
export function virtualHostOrigins(host: IrVirtualHost): string[] {
  return HOST_ORIGINS.get(host);
}

const HOST_ORIGINS = new Memo((host: IrVirtualHost) => [...new Set([...host.routes, ...(host.fallthrough ?? [])].map((r) => r.origin))].sort(compareStrings));

/**
 * Everything made of the whole cluster list: incremental translation keeps the list the very same
 * object when an edit moves no cluster, so these are not made again for every change.
 */
const CLUSTER_LIST = new Memo((clusters: readonly IrCluster[], upstream: IrUpstreamOptions) => {
  /** A load assignment comes from every cluster variant that uses it. */
  const assignmentOrigins: Record<string, string[]> = {};
  for (const cluster of clusters) {
    const before = assignmentOrigins[cluster.loadAssignment];
    // Cluster origins are sorted and unique already; only variants sharing an assignment merge.
    assignmentOrigins[cluster.loadAssignment] = before ? [...new Set([...before, ...cluster.origins])].sort(compareStrings) : cluster.origins;
  }
  return {
    clusters: clusters.map((cluster) => EDS_CLUSTERS.get(cluster, upstream)),
    clusterLoadAssignments: loadAssignments(clusters),
    clusterOrigins: Object.fromEntries(clusters.map((c) => [c.name, c.origins])),
    assignmentOrigins,
  };
});

const CERTIFICATE_LIST = new Memo((certificates: readonly IrCertificate[]) => ({
  secrets: certificates.map(tlsSecret),
  origins: Object.fromEntries(certificates.map((c) => [c.name, c.origins])),
}));

/** `previous`: the fleet before an edit and what it was made into, which unchanged parts are taken from. */
export function toFleetResources(fleet: IrFleet, previous?: { fleet: IrFleet; resources: FleetResources }): { resources: FleetResources; origins: ResourceOrigins } {
  // Not referred to by any closure below: the origins recipe outlives this call, and would keep
  // the previous edit's resources alive with it.
  const routeConfigurations = routeTables(fleet, previous);
  const routeConfigurationName = fleet.httpListener.name;
  const https = fleet.https;
  const classRef = `IngressClass ${fleet.ingressClass}`;
  const tableNames = [routeConfigurationName, ...(https ? [https.listener.name] : [])];
  const filters = httpFilters(fleet);
  const clusters = CLUSTER_LIST.get(fleet.clusters, fleet.upstream);
  const certificates = CERTIFICATE_LIST.get(fleet.certificates);
  return {
    resources: {
      listeners: [
        httpListener(fleet.httpListener, fleet.http, routeConfigurationName, filters),
        ...(https ? [httpsListener(https, fleet.http, https.listener.name, filters)] : []),
      ],
      routeConfigurations,
      clusters: clusters.clusters,
      clusterLoadAssignments: clusters.clusterLoadAssignments,
      secrets: certificates.secrets,
    },
    // Read only for a NACK, a refused resource or /debug: built then (originsWhenRead).
    origins: originsWhenRead({
      listener: () => ({ [fleet.httpListener.name]: [classRef], ...(https ? { [https.listener.name]: [classRef] } : {}) }),
      routeConfiguration: () => {
        // Both tables hold the same virtual hosts: their origins are worked out once.
        const tableOrigins = [...new Set(fleet.virtualHosts.flatMap((v) => HOST_ORIGINS.get(v)))].sort(compareStrings);
        return Object.fromEntries(tableNames.map((table) => [table, tableOrigins]));
      },
      // Delta clients get each virtual host as a resource of its own (VHDS): a NACK of one names its Ingresses only.
      virtualHost: () => Object.fromEntries(tableNames.flatMap((table) => fleet.virtualHosts.map((v) => [virtualHostResourceName(table, v.host), HOST_ORIGINS.get(v)]))),
      cluster: () => clusters.clusterOrigins,
      clusterLoadAssignment: () => clusters.assignmentOrigins,
      secret: () => certificates.origins,
    }),
  };
}

/** The plain-HTTP table, and the HTTPS one when the fleet has that listener. */
function routeTables(fleet: IrFleet, previous: { fleet: IrFleet; resources: FleetResources } | undefined): RouteConfiguration[] {
  const tableBefore = (name: string): { virtualHosts: readonly IrVirtualHost[]; table: RouteConfiguration } | undefined => {
    const table = previous?.resources.routeConfigurations.find((rc) => rc.name === name);
    return previous && table ? { virtualHosts: previous.fleet.virtualHosts, table } : undefined;
  };
  const http = fleet.httpListener.name;
  const https = fleet.https?.listener.name;
  return [routeConfiguration(http, fleet, 'http', tableBefore(http)), ...(https !== undefined ? [routeConfiguration(https, fleet, 'https', tableBefore(https))] : [])];
}
