// Make-before-break: a client must have a cluster (and its endpoints) before a route points at it,
// and a secret before a listener or cluster uses it. Within one stream, pending responses go out
// in this order (go-control-plane and the xDS protocol doc use the same order for CDS/EDS/LDS/RDS).
import type { ResourceKind } from '../protos/envoy-protos.js';

export const PUSH_ORDER: readonly ResourceKind[] = ['cluster', 'clusterLoadAssignment', 'secret', 'listener', 'routeConfiguration', 'virtualHost'];

/** LDS and CDS responses carry the full set (absence means deletion); the others any subset. */
export function isFullStateKind(kind: ResourceKind): boolean {
  return kind === 'listener' || kind === 'cluster';
}

/** Kinds held back while a Cluster response is unacknowledged, so routes never lead to warming clusters. */
export function waitsForClusters(kind: ResourceKind): boolean {
  return kind === 'listener' || kind === 'routeConfiguration' || kind === 'virtualHost';
}
