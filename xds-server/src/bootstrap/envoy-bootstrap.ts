// The Envoy bootstrap for a fleet: everything comes over one ADS stream from Portico, node.cluster
// names the fleet, the admin interface stays on localhost, and the overload manager sheds load
// before the kernel's OOM killer or fd limits do (Envoy's edge-proxy best practices).
import { HTTP_PROTOCOL_OPTIONS_TYPE } from '../protos/type-urls.js';
import type { Bootstrap } from '../generated/envoy/config/bootstrap/v3/Bootstrap.js';
import type { Cluster } from '../generated/envoy/config/cluster/v3/Cluster.js';
import { packAny } from '../protos/any.js';
import type { XdsAddress } from './xds-address.js';
import { xdsTransportSocket } from './xds-tls.js';
import type { XdsClientTls } from './xds-tls.js';

export const XDS_CLUSTER = 'portico-xds';

/** Which ADS variant Envoy speaks: Delta sends only what changed; SotW whole LDS/CDS sets. */
export type XdsProtocol = 'delta' | 'sotw';

export const XDS_PROTOCOLS: readonly XdsProtocol[] = ['delta', 'sotw'];

export interface EnvoyBootstrapOptions {
  fleet: string;
  /** Delta by default: a change costs about its own size, not the size of every LDS/CDS set. */
  xdsProtocol?: XdsProtocol;
  xds: XdsAddress;
  nodeId: string;
  adminPort?: number;
  /** The heap Envoy may use before shedding load; match the container's memory limit. */
  maxHeapBytes?: number;
  maxDownstreamConnections?: number;
  /**
   * Mutual TLS to Portico: where the client Secret and the SDS files are (xds-tls.ts). `false`
   * is plain text, for a Portico on loopback only.
   */
  tls: XdsClientTls | false;
}

export const ENVOY_BOOTSTRAP_DEFAULTS = {
  adminPort: 9901,
  maxHeapBytes: 1024 * 1024 * 1024,
  maxDownstreamConnections: 50_000,
} as const;

const FIXED_HEAP = 'type.googleapis.com/envoy.extensions.resource_monitors.fixed_heap.v3.FixedHeapConfig';
const DOWNSTREAM_CONNECTIONS = 'type.googleapis.com/envoy.extensions.resource_monitors.downstream_connections.v3.DownstreamConnectionsConfig';
const HEAP_MONITOR = 'envoy.resource_monitors.fixed_heap';
const CONNECTIONS_MONITOR = 'envoy.resource_monitors.global_downstream_max_connections';

/** The bootstrap in proto-loader object form (encode it, or print it as proto3 JSON / YAML). */
export function envoyBootstrap(options: EnvoyBootstrapOptions): Bootstrap {
  const adminPort = options.adminPort ?? ENVOY_BOOTSTRAP_DEFAULTS.adminPort;
  return {
    node: { id: options.nodeId, cluster: options.fleet },
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: adminPort } } },
    dynamic_resources: {
      ads_config: {
        api_type: (options.xdsProtocol ?? 'delta') === 'delta' ? 'DELTA_GRPC' : 'GRPC',
        transport_api_version: 'V3',
        set_node_on_first_message_only: true,
        grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }],
      },
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
    },
    static_resources: { clusters: [xdsCluster(options.xds, options.tls)] },
    overload_manager: overloadManager(
      options.maxHeapBytes ?? ENVOY_BOOTSTRAP_DEFAULTS.maxHeapBytes,
      options.maxDownstreamConnections ?? ENVOY_BOOTSTRAP_DEFAULTS.maxDownstreamConnections,
    ),
  };
}

function xdsCluster(xds: XdsAddress, tls: XdsClientTls | false): Cluster {
  // envoy.extensions.upstreams.http.v3.HttpProtocolOptions (no generated type for it).
  const http2 = {
    explicit_http_config: {
      // Keepalive notices a dead control plane long before TCP would; Envoy then reconnects.
      http2_protocol_options: { connection_keepalive: { interval: { seconds: 30 }, timeout: { seconds: 5 } } },
    },
  };
  return {
    name: XDS_CLUSTER,
    // A Service name must be resolved (and re-resolved when Portico's pods move).
    type: xds.isIp ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: { seconds: 5 },
    typed_extension_protocol_options: { 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': packAny(HTTP_PROTOCOL_OPTIONS_TYPE, http2) },
    load_assignment: {
      cluster_name: XDS_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: xds.host, port_value: xds.port } } } }] }],
    },
    ...(tls ? { transport_socket: xdsTransportSocket(xds, tls) as Cluster['transport_socket'] } : {}),
  };
}

function overloadManager(maxHeapBytes: number, maxConnections: number): Bootstrap['overload_manager'] {
  const onHeap = (value: number) => [{ name: HEAP_MONITOR, threshold: { value } }];
  return {
    refresh_interval: { nanos: 250_000_000 },
    resource_monitors: [
      { name: HEAP_MONITOR, typed_config: packAny(FIXED_HEAP, { max_heap_size_bytes: String(maxHeapBytes) }) },
      { name: CONNECTIONS_MONITOR, typed_config: packAny(DOWNSTREAM_CONNECTIONS, { max_active_downstream_connections: String(maxConnections) }) },
    ],
    actions: [
      { name: 'envoy.overload_actions.shrink_heap', triggers: onHeap(0.95) },
      { name: 'envoy.overload_actions.disable_http_keepalive', triggers: onHeap(0.95) },
      { name: 'envoy.overload_actions.stop_accepting_requests', triggers: onHeap(0.98) },
    ],
  };
}
