// IR clusters → EDS Clusters and their ClusterLoadAssignments. Endpoints always come over EDS, so
// an endpoint change never touches CDS (which Envoy would treat as a cluster update and re-warm).
// Variants of one Service port (clusters with settings of their own) share its load assignment.
import { Memo } from '../util/memo.js';
import type { Cluster, ClusterLoadAssignment, HttpProtocolOptions, LocalityLbEndpoints, UpstreamTlsContext } from '../../../xds-server/src/index.js';
import { HTTP_PROTOCOL_OPTIONS_TYPE, LEAST_REQUEST_TYPE, ROUND_ROBIN_TYPE, UPSTREAM_TLS_CONTEXT_TYPE } from '../../../xds-server/src/index.js';
import type { IrCluster, IrClusterSettings, IrUpstreamOptions } from '../ir/types.js';
import { compareStrings } from '../util/compare.js';
import { durationFromMs } from './duration.js';

const BUFFER_LIMIT_BYTES = 32 * 1024;
const LB_POLICIES: Record<'roundRobin' | 'ringHash', Cluster['lb_policy']> = { roundRobin: 'ROUND_ROBIN', ringHash: 'RING_HASH' };

/**
 * Least request as a load-balancing policy list rather than `lb_policy: LEAST_REQUEST`, which
 * grpc-js-xds rejects (the whole cluster): Envoy takes the first policy it knows, gRPC clients
 * skip to round robin.
 */
const LEAST_REQUEST_THEN_ROUND_ROBIN: NonNullable<Cluster['load_balancing_policy']> = {
  policies: [
    { typed_extension_config: { name: 'envoy.load_balancing_policies.least_request', typed_config: { '@type': LEAST_REQUEST_TYPE } } },
    { typed_extension_config: { name: 'envoy.load_balancing_policies.round_robin', typed_config: { '@type': ROUND_ROBIN_TYPE } } },
  ],
};

export function edsCluster(cluster: IrCluster, upstream: IrUpstreamOptions): Cluster {
  const { settings } = cluster;
  const result: Cluster = {
    name: cluster.name,
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: cluster.loadAssignment },
    connect_timeout: durationFromMs(settings.connectTimeoutMs ?? upstream.connectTimeoutMs),
    per_connection_buffer_limit_bytes: { value: BUFFER_LIMIT_BYTES },
  };
  if (settings.balancing === 'leastRequest') result.load_balancing_policy = LEAST_REQUEST_THEN_ROUND_ROBIN;
  else result.lb_policy = LB_POLICIES[settings.balancing];
  const protocol = protocolOptions(settings);
  if (protocol) result.typed_extension_protocol_options = { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': { '@type': HTTP_PROTOCOL_OPTIONS_TYPE, ...protocol } };
  if (settings.tls) result.transport_socket = { name: 'envoy.transport_sockets.tls', typed_config: { '@type': UPSTREAM_TLS_CONTEXT_TYPE, ...upstreamTls(settings) } };
  return result;
}

/** HTTP/1.1 is Envoy's default; gRPC and h2c need HTTP/2 said explicitly. */
function protocolOptions(settings: IrClusterSettings): HttpProtocolOptions | undefined {
  if (settings.protocol === 'http2') return { explicit_http_config: { http2_protocol_options: {} } };
  if (settings.protocol === 'downstream') return { use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: {} } };
  return undefined;
}

/**
 * TLS without verification, as ingress-nginx does without proxy-ssl-verify. HTTP/2 over TLS
 * offers ALPN h2: gRPC servers refuse TLS connections that do not.
 */
function upstreamTls(settings: IrClusterSettings): UpstreamTlsContext {
  const context: UpstreamTlsContext = {};
  if (settings.tls?.sni !== undefined) context.sni = settings.tls.sni;
  if (settings.protocol === 'http2') context.common_tls_context = { alpn_protocols: ['h2'] };
  return context;
}

/**
 * One ClusterLoadAssignment per load assignment name (a Service port, or its ClusterIP), however
 * many cluster variants use it; sorted by name.
 */
export function loadAssignments(clusters: readonly IrCluster[]): ClusterLoadAssignment[] {
  const byName = new Map<string, IrCluster>();
  for (const cluster of clusters) if (!byName.has(cluster.loadAssignment)) byName.set(cluster.loadAssignment, cluster);
  return [...byName.keys()].sort(compareStrings).map((name) => {
    const cluster = byName.get(name) as IrCluster;
    return ASSIGNMENTS.get(cluster.endpoints, name);
  });
}

/** An unchanged cluster keeps its endpoints array (incremental/fleet-splice.ts), so its assignment. */
const ASSIGNMENTS = new Memo((endpoints: IrCluster['endpoints'], name: string) => loadAssignment(name, endpoints));

/** edsCluster, rebuilt only for a cluster (or upstream options) that is another object. */
export const EDS_CLUSTERS = new Memo(edsCluster);

/**
 * One locality per zone. gRPC clients need a locality and a non-zero weight on every group or
 * they drop it; weighting by endpoint count keeps per-endpoint load even across zones. Exported
 * for endpoint updates outside the full rebuild (operator/src/relevance).
 */
export function loadAssignment(name: string, endpoints: IrCluster['endpoints']): ClusterLoadAssignment {
  const zones = new Map<string, LocalityLbEndpoints>();
  for (const endpoint of endpoints) {
    const group = zones.get(endpoint.zone) ?? { locality: endpoint.zone ? { zone: endpoint.zone } : {}, lb_endpoints: [] };
    group.lb_endpoints?.push({ endpoint: { address: { socket_address: { address: endpoint.address, port_value: endpoint.port } } } });
    zones.set(endpoint.zone, group);
  }
  const localities = [...zones.values()].map((group) => ({ ...group, load_balancing_weight: { value: group.lb_endpoints?.length ?? 0 } }));
  return { cluster_name: name, endpoints: localities };
}
