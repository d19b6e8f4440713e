// The contract between the operator and the xDS server: one fleet's complete Envoy configuration.
// The operator builds it (pure translation); the server versions, encodes and serves it. Nothing in
// here knows about Kubernetes.
import type { Cluster } from './generated/envoy/config/cluster/v3/Cluster.js';
import type { ClusterLoadAssignment } from './generated/envoy/config/endpoint/v3/ClusterLoadAssignment.js';
import type { Listener } from './generated/envoy/config/listener/v3/Listener.js';
import type { RouteConfiguration } from './generated/envoy/config/route/v3/RouteConfiguration.js';
import type { VirtualHost } from './generated/envoy/config/route/v3/VirtualHost.js';
import type { Secret } from './generated/envoy/extensions/transport_sockets/tls/v3/Secret.js';
import type { ResourceKind } from './protos/envoy-protos.js';

export type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration, Secret, VirtualHost };

/** Every resource of one fleet, each list sorted by name. */
export interface FleetResources {
  listeners: Listener[];
  routeConfigurations: RouteConfiguration[];
  clusters: Cluster[];
  clusterLoadAssignments: ClusterLoadAssignment[];
  secrets: Secret[];
  /**
   * Only in the view Delta clients get (withVirtualHostDiscovery): the virtual hosts split out of
   * the RouteConfigurations, one resource each. The operator never fills it.
   */
  virtualHosts?: VirtualHost[];
}

/**
 * Where each resource came from, as "Kind namespace/name" strings, keyed by resource kind and then
 * resource name. Lets a NACK of one resource be traced back to the objects that produced it.
 */
export type ResourceOrigins = Partial<Record<ResourceKind, Record<string, string[]>>>;

/** Resources and origins of one fleet as one kind of client is served them (SotW or Delta view). */
export interface FleetView {
  resources: FleetResources;
  origins: ResourceOrigins;
}

/** A route of the Envoy table that the gRPC view leaves out, once however many gRPC tables had it. */
export interface LeftOutRoute {
  /** The Envoy RouteConfiguration and virtual host it is in. */
  routeConfiguration: string;
  virtualHost: string;
  /** Its name, or its match when it has none. */
  route: string;
  reason: string;
  /** The objects that made its virtual host (or its table, when the operator did not say). */
  origins: string[];
}

/**
 * What the operator adds to a fleet for proxyless gRPC clients (its envoy stage builds it:
 * operator/src/envoy/grpc-view/): API listeners and the route tables they use. The server adds them
 * to the SotW view only (gRPC clients do not speak Delta); an API listener is kept out of wildcard
 * subscriptions (EncodedResource.inWildcard), so Envoy never gets one.
 */
export interface GrpcView {
  /** Only API listeners, and only route tables of their own (names the fleet does not use). */
  resources: Pick<FleetResources, 'listeners' | 'routeConfigurations'>;
  origins: Pick<ResourceOrigins, 'listener' | 'routeConfiguration'>;
  /** Hosts whose name a Listener of the fleet already has: they got no API listener (logged). */
  skipped: string[];
  /** Routes left out of the gRPC tables, in table order (logged when a publish changes the fleet). */
  leftOut: LeftOutRoute[];
}

/** The field of FleetResources that holds each kind. */
export const FLEET_FIELD_BY_KIND = {
  listener: 'listeners',
  routeConfiguration: 'routeConfigurations',
  cluster: 'clusters',
  clusterLoadAssignment: 'clusterLoadAssignments',
  secret: 'secrets',
  virtualHost: 'virtualHosts',
} as const satisfies Record<ResourceKind, keyof FleetResources>;

/** A fleet's resources of one kind (none where the view has no such field). */
export function resourcesOfKind(resources: FleetResources, kind: ResourceKind): readonly object[] {
  return resources[FLEET_FIELD_BY_KIND[kind]] ?? NONE;
}

const NONE: readonly object[] = Object.freeze([]);

export function resourceName(kind: ResourceKind, resource: { name?: string; cluster_name?: string }): string {
  return (kind === 'clusterLoadAssignment' ? resource.cluster_name : resource.name) ?? '';
}

export function emptyFleetResources(): FleetResources {
  return { listeners: [], routeConfigurations: [], clusters: [], clusterLoadAssignments: [], secrets: [] };
}
