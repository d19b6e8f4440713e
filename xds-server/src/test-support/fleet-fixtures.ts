// Hand-written fleets in the shape the translator produces: one Envoy HTTP listener whose
// HttpConnectionManager uses RDS, one virtual host per host plus a catch-all, EDS clusters with
// the locality and weight gRPC clients need.
import { packAny } from '../protos/any.js';
import type { Cluster, ClusterLoadAssignment, FleetResources, Listener, ResourceOrigins, RouteConfiguration } from '../resources.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE } from '../protos/type-urls.js';
import { virtualHostResourceName } from '../cache/virtual-host-discovery.js';

export const ROUTE_CONFIG = 'ingress_http';

export interface FleetSpec {
  /** host → cluster; the host '*' is the catch-all. */
  routes: Record<string, string>;
  /** cluster → endpoint ports on 127.0.0.1. */
  endpoints: Record<string, number[]>;
  listenerPort?: number;
}

export function fleetResources(spec: FleetSpec): FleetResources {
  const clusters = Object.keys(spec.endpoints).sort();
  return {
    listeners: [envoyListener(spec.listenerPort ?? 8080)],
    routeConfigurations: [routeConfiguration(spec.routes)],
    clusters: clusters.map(edsCluster),
    clusterLoadAssignments: clusters.map((name) => loadAssignment(name, spec.endpoints[name] ?? [])),
    secrets: [],
  };
}

/** Every resource traced to "Ingress default/<first cluster using it>". */
export function fleetOrigins(spec: FleetSpec): ResourceOrigins {
  const ingress = (cluster: string): string[] => [`Ingress default/${cluster}`];
  const clusters = Object.keys(spec.endpoints);
  return {
    routeConfiguration: { [ROUTE_CONFIG]: [...new Set(Object.values(spec.routes))].sort().map((c) => `Ingress default/${c}`) },
    virtualHost: Object.fromEntries(Object.entries(spec.routes).map(([host, cluster]) => [virtualHostResourceName(ROUTE_CONFIG, virtualHostName(host)), ingress(cluster)])),
    cluster: Object.fromEntries(clusters.map((c) => [c, ingress(c)])),
    clusterLoadAssignment: Object.fromEntries(clusters.map((c) => [c, ingress(c)])),
  };
}

export function envoyListener(port: number): Listener {
  return {
    name: ROUTE_CONFIG,
    address: { socket_address: { address: '0.0.0.0', port_value: port } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: packAny(HTTP_CONNECTION_MANAGER_TYPE, {
              stat_prefix: ROUTE_CONFIG,
              rds: { route_config_name: ROUTE_CONFIG, config_source: { ads: {}, resource_api_version: 'V3' } },
              http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
            }),
          },
        ],
      },
    ],
  };
}

export function routeConfiguration(routes: Record<string, string>): RouteConfiguration {
  const hosts = Object.keys(routes).sort((a, b) => (a === '*' ? 1 : b === '*' ? -1 : a < b ? -1 : 1));
  return {
    name: ROUTE_CONFIG,
    virtual_hosts: hosts.map((host) => ({
      name: virtualHostName(host),
      domains: host === '*' ? ['*'] : [host, `${host}:*`],
      routes: [{ match: { prefix: '/' }, route: { cluster: routes[host] ?? '' } }],
    })),
  };
}

export function virtualHostName(host: string): string {
  return host === '*' ? 'any-host' : host;
}

export function edsCluster(name: string): Cluster {
  return {
    name,
    type: 'EDS',
    connect_timeout: { seconds: 5 },
    lb_policy: 'ROUND_ROBIN',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: name },
  };
}

export function loadAssignment(clusterName: string, ports: number[]): ClusterLoadAssignment {
  return {
    cluster_name: clusterName,
    endpoints: [
      {
        locality: {},
        load_balancing_weight: { value: 1 },
        lb_endpoints: ports.map((port) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } })),
      },
    ],
  };
}
