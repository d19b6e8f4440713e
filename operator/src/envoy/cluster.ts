// IR clusters → EDS Clusters and their ClusterLoadAssignments. Endpoints always come over EDS, so
// an endpoint change never touches CDS (which Envoy would treat as a cluster update and re-warm).
import type { LocalityLbEndpoints } from '../../../xds-server/src/generated/envoy/config/endpoint/v3/LocalityLbEndpoints.js';
import type { Cluster, ClusterLoadAssignment } from '../../../xds-server/src/resources.js';
import type { IrCluster, IrUpstreamOptions } from '../ir/types.js';
import { durationFromMs } from './duration.js';

const BUFFER_LIMIT_BYTES = 32 * 1024;

export function edsCluster(cluster: IrCluster, upstream: IrUpstreamOptions): Cluster {
  return {
    name: cluster.name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: cluster.name },
    connect_timeout: durationFromMs(upstream.connectTimeoutMs),
    lb_policy: 'ROUND_ROBIN',
    per_connection_buffer_limit_bytes: { value: BUFFER_LIMIT_BYTES },
  };
}

/**
 * One locality per zone. gRPC clients need a locality and a non-zero weight on every group or
 * they drop it; weighting by endpoint count keeps per-endpoint load even across zones.
 */
export function loadAssignment(cluster: IrCluster): ClusterLoadAssignment {
  const zones = new Map<string, LocalityLbEndpoints>();
  for (const endpoint of cluster.endpoints) {
    const group = zones.get(endpoint.zone) ?? { locality: endpoint.zone ? { zone: endpoint.zone } : {}, lb_endpoints: [] };
    group.lb_endpoints?.push({ endpoint: { address: { socket_address: { address: endpoint.address, port_value: endpoint.port } } } });
    zones.set(endpoint.zone, group);
  }
  const endpoints = [...zones.values()].map((group) => ({ ...group, load_balancing_weight: { value: group.lb_endpoints?.length ?? 0 } }));
  return { cluster_name: cluster.name, endpoints };
}
