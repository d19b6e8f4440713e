// Realistic, valid Envoy resources of the shapes Portico serves, in proto-loader object form.
// Each call returns a fresh object so tests can mutate it.
import type { Cluster } from '../../generated/envoy/config/cluster/v3/Cluster.js';
import type { ClusterLoadAssignment } from '../../generated/envoy/config/endpoint/v3/ClusterLoadAssignment.js';
import type { Listener } from '../../generated/envoy/config/listener/v3/Listener.js';
import type { RouteConfiguration } from '../../generated/envoy/config/route/v3/RouteConfiguration.js';
import type { HttpConnectionManager } from '../../generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';

export { HTTP_CONNECTION_MANAGER_TYPE as HCM_TYPE, ROUTER_TYPE } from '../type-urls.js';
import { HTTP_CONNECTION_MANAGER_TYPE as HCM_TYPE, ROUTER_TYPE } from '../type-urls.js';

export function connectionManager(): HttpConnectionManager {
  return {
    stat_prefix: 'ingress_http',
    codec_type: 'AUTO',
    rds: { route_config_name: 'portico-http', config_source: { ads: {}, resource_api_version: 'V3' } },
    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
    use_remote_address: { value: true },
    normalize_path: { value: true },
    merge_slashes: true,
    strip_any_host_port: true,
    common_http_protocol_options: { idle_timeout: { seconds: 3600, nanos: 0 } },
    request_timeout: { seconds: 0, nanos: 250_000_000 },
    path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
  };
}

export function listener(): Listener {
  return {
    name: 'portico-http',
    address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
    filter_chains: [
      {
        filters: [
          {
            name: 'envoy.filters.network.http_connection_manager',
            typed_config: { '@type': HCM_TYPE, ...connectionManager() },
          },
        ],
      },
    ],
    per_connection_buffer_limit_bytes: { value: 32768 },
  };
}

export function routeConfiguration(): RouteConfiguration {
  return {
    name: 'portico-http',
    virtual_hosts: [
      {
        name: 'example.com',
        domains: ['example.com', 'example.com:*'],
        routes: [
          {
            match: { path_separated_prefix: '/api' },
            route: {
              cluster: 'default/api/80',
              timeout: { seconds: 15, nanos: 0 },
              regex_rewrite: { pattern: { regex: '^/api/(.*)$' }, substitution: '/\\1' },
            },
          },
          {
            match: { safe_regex: { regex: '^/v[0-9]+/items$' }, case_sensitive: { value: false } },
            route: {
              weighted_clusters: {
                clusters: [
                  { name: 'default/items-v1/80', weight: { value: 90 } },
                  { name: 'default/items-v2/80', weight: { value: 10 } },
                ],
              },
            },
          },
          { match: { path: '/old' }, redirect: { path_redirect: '/new', response_code: 'PERMANENT_REDIRECT' } },
          { match: { path: '/healthz' }, direct_response: { status: 200, body: { inline_string: 'ok' } } },
          { match: { prefix: '/' }, redirect: { https_redirect: true } },
        ],
      },
    ],
  };
}

export function edsCluster(): Cluster {
  return {
    name: 'default/api/80',
    type: 'EDS',
    eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: 'default/api/80' },
    connect_timeout: { seconds: 5, nanos: 0 },
    lb_policy: 'LEAST_REQUEST',
    circuit_breakers: { thresholds: [{ max_connections: { value: 1024 }, max_retries: { value: 3 } }] },
  };
}

export function clusterLoadAssignment(): ClusterLoadAssignment {
  return {
    cluster_name: 'default/api/80',
    endpoints: [
      {
        locality: {},
        load_balancing_weight: { value: 1 },
        lb_endpoints: [
          { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 8080 } } }, health_status: 'HEALTHY' },
          { endpoint: { address: { socket_address: { address: '10.0.0.2', port_value: 8080 } } }, load_balancing_weight: { value: 2 } },
        ],
      },
    ],
  };
}
