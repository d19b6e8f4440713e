// The fleet's HTTP listener: one HttpConnectionManager that takes its routes over RDS, set up as
// Envoy's edge-proxy guide recommends (https://www.envoyproxy.io/docs/envoy/latest/configuration/best_practices/edge).
import type { Filter, HttpConnectionManager, HttpFilter, Listener } from '../../../xds-server/src/index.js';
import { HTTP_CONNECTION_MANAGER_TYPE } from '../../../xds-server/src/index.js';
import type { IrHttpOptions, IrListener } from '../ir/types.js';
import { accessLogs } from './access-log.js';
import { durationFromMs } from './duration.js';

export const BUFFER_LIMIT_BYTES = 32 * 1024;

export function httpListener(listener: IrListener, http: IrHttpOptions, routeConfigurationName: string, filters: HttpFilter[]): Listener {
  return {
    name: listener.name,
    address: { socket_address: { address: listener.address, port_value: listener.port } },
    per_connection_buffer_limit_bytes: { value: BUFFER_LIMIT_BYTES },
    filter_chains: [{ filters: [connectionManagerFilter(listener.name, http, routeConfigurationName, filters)] }],
  };
}

/**
 * Every listener, plain or TLS, is the same HttpConnectionManager over its own route table, with
 * the fleet's HTTP filters (http-filters/).
 */
export function connectionManagerFilter(statPrefix: string, http: IrHttpOptions, routeConfigurationName: string, filters: HttpFilter[]): Filter {
  const connectionManager: HttpConnectionManager = {
    stat_prefix: statPrefix,
    codec_type: 'AUTO',
    rds: { route_config_name: routeConfigurationName, config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: filters,
    // nginx proxies WebSocket upgrades without being asked; so does every Portico listener.
    upgrade_configs: [{ upgrade_type: 'websocket' }],
    // By default Envoy is the edge: trust the peer address, not a client-supplied X-Forwarded-For.
    // Behind other proxies, the class's parameters say how many of their XFF entries to trust.
    use_remote_address: { value: http.useRemoteAddress },
    ...(http.xffNumTrustedHops > 0 ? { xff_num_trusted_hops: http.xffNumTrustedHops } : {}),
    max_request_headers_kb: { value: http.maxRequestHeadersKiB },
    // Element-wise Prefix matching is only sound on normalised paths: without these, `/a/../b`,
    // `//b` or `/a%2Fb` could reach a route that the raw path would not.
    normalize_path: { value: true },
    merge_slashes: true,
    path_with_escaped_slashes_action: 'UNESCAPE_AND_FORWARD',
    // Ingress hosts carry no port, and `Host: foo:8080` must still find host foo.
    strip_any_host_port: true,
    common_http_protocol_options: {
      idle_timeout: durationFromMs(http.idleTimeoutMs),
      // nginx ignores header names with underscores by default; do the same rather than reject.
      headers_with_underscores_action: 'DROP_HEADER',
    },
    http2_protocol_options: {
      max_concurrent_streams: { value: 100 },
      initial_stream_window_size: { value: 65536 },
      initial_connection_window_size: { value: 1048576 },
    },
    stream_idle_timeout: durationFromMs(http.streamIdleTimeoutMs),
    request_timeout: durationFromMs(http.requestTimeoutMs),
    request_headers_timeout: durationFromMs(http.requestHeadersTimeoutMs),
  };
  const logs = accessLogs(http);
  if (logs.length > 0) connectionManager.access_log = logs;
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': HTTP_CONNECTION_MANAGER_TYPE, ...connectionManager } };
}
