import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, RESOURCE_TYPES } from './envoy-protos.js';
import { fromProto3Json, toProto3Json, type JsonValue } from './proto-json.js';
import { clusterLoadAssignment, edsCluster, HCM_TYPE, listener, routeConfiguration, ROUTER_TYPE } from './test-support/envoy-fixtures.js';

/** Stringifying compares key order too, which toEqual ignores. */
function expectJson(actual: JsonValue, expected: JsonValue): void {
  expect(JSON.stringify(actual, null, 1)).toBe(JSON.stringify(expected, null, 1));
}

describe('toProto3Json on Envoy resources', () => {
  it('prints a Listener with its HttpConnectionManager inline under @type', () => {
    expectJson(toProto3Json(RESOURCE_TYPES.listener, listener()), {
      name: 'portico-http',
      address: { socket_address: { address: '0.0.0.0', port_value: 8080 } },
      filter_chains: [
        {
          filters: [
            {
              name: 'envoy.filters.network.http_connection_manager',
              typed_config: {
                '@type': HCM_TYPE,
                stat_prefix: 'ingress_http',
                rds: { config_source: { ads: {}, resource_api_version: 'V3' }, route_config_name: 'portico-http' },
                http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }],
                common_http_protocol_options: { idle_timeout: '3600s' },
                request_timeout: '0.250s',
                use_remote_address: true,
                normalize_path: true,
                merge_slashes: true,
                path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
                strip_any_host_port: true,
              },
            },
          ],
        },
      ],
      per_connection_buffer_limit_bytes: 32768,
    });
  });

  it('prints a RouteConfiguration with safe_regex, regex_rewrite, weights and redirects', () => {
    expectJson(toProto3Json(RESOURCE_TYPES.routeConfiguration, routeConfiguration()), {
      name: 'portico-http',
      virtual_hosts: [
        {
          name: 'example.com',
          domains: ['example.com', 'example.com:*'],
          routes: [
            {
              match: { path_separated_prefix: '/api' },
              route: { cluster: 'default/api/80', regex_rewrite: { pattern: { regex: '^/api/(.*)$' }, substitution: '/\\1' }, timeout: '15s' },
            },
            {
              match: { safe_regex: { regex: '^/v[0-9]+/items$' }, case_sensitive: false },
              route: { weighted_clusters: { clusters: [{ name: 'default/items-v1/80', weight: 90 }, { name: 'default/items-v2/80', weight: 10 }] } },
            },
            { match: { path: '/old' }, redirect: { path_redirect: '/new', response_code: 'PERMANENT_REDIRECT' } },
            { match: { path: '/healthz' }, direct_response: { status: 200, body: { inline_string: 'ok' } } },
            { match: { prefix: '/' }, redirect: { https_redirect: true } },
          ],
        },
      ],
    });
  });

  it('prints a Cluster with connect_timeout as a string and wrapper thresholds unwrapped', () => {
    expectJson(toProto3Json(RESOURCE_TYPES.cluster, edsCluster()), {
      name: 'default/api/80',
      type: 'EDS',
      eds_cluster_config: { eds_config: { ads: {}, resource_api_version: 'V3' }, service_name: 'default/api/80' },
      connect_timeout: '5s',
      lb_policy: 'LEAST_REQUEST',
      circuit_breakers: { thresholds: [{ max_connections: 1024, max_retries: 3 }] },
    });
  });

  it('prints a ClusterLoadAssignment keeping the empty locality and unwrapping weights', () => {
    expectJson(toProto3Json(RESOURCE_TYPES.clusterLoadAssignment, clusterLoadAssignment()), {
      cluster_name: 'default/api/80',
      endpoints: [
        {
          locality: {},
          lb_endpoints: [
            { endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 8080 } } }, health_status: 'HEALTHY' },
            { endpoint: { address: { socket_address: { address: '10.0.0.2', port_value: 8080 } } }, load_balancing_weight: 2 },
          ],
          load_balancing_weight: 1,
        },
      ],
    });
  });

  it('omits proto3 scalars left at their default, but keeps set wrappers holding a default', () => {
    const cluster = { ...edsCluster(), lb_policy: 'ROUND_ROBIN' as const, per_connection_buffer_limit_bytes: { value: 0 }, alt_stat_name: '', respect_dns_ttl: false };
    const json = toProto3Json(RESOURCE_TYPES.cluster, cluster) as Record<string, JsonValue>;
    expect(Object.keys(json)).not.toContain('lb_policy');
    expect(Object.keys(json)).not.toContain('alt_stat_name');
    expect(Object.keys(json)).not.toContain('respect_dns_ttl');
    expect(json.per_connection_buffer_limit_bytes).toBe(0);
  });

  it('keeps a oneof member set to its default', () => {
    const json = toProto3Json(RESOURCE_TYPES.routeConfiguration, { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: 'c' } }] }] });
    expectJson(json, { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '' }, route: { cluster: 'c' } }] }] });
  });

  it('prints enum numbers it has no name for as numbers', () => {
    const json = toProto3Json(RESOURCE_TYPES.routeConfiguration, { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, redirect: { response_code: 9 } }] }] });
    expectJson(json, { virtual_hosts: [{ name: 'v', domains: ['*'], routes: [{ match: { prefix: '/' }, redirect: { response_code: 9 } }] }] });
  });

  it('is independent of the key order of its input', () => {
    const reordered = Object.fromEntries(Object.entries(edsCluster()).reverse());
    expect(JSON.stringify(toProto3Json(RESOURCE_TYPES.cluster, reordered))).toBe(JSON.stringify(toProto3Json(RESOURCE_TYPES.cluster, edsCluster())));
  });
});

describe('round trips through fromProto3Json', () => {
  const cases: [string, string, () => object][] = [
    ['Listener + HCM', RESOURCE_TYPES.listener, listener],
    ['RouteConfiguration', RESOURCE_TYPES.routeConfiguration, routeConfiguration],
    ['Cluster', RESOURCE_TYPES.cluster, edsCluster],
    ['ClusterLoadAssignment', RESOURCE_TYPES.clusterLoadAssignment, clusterLoadAssignment],
  ];

  it.each(cases)('%s: JSON → object → JSON is stable', (_, type, make) => {
    const json = toProto3Json(type, make());
    const object = fromProto3Json(type, json);
    expectJson(toProto3Json(type, object), json);
  });

  it.each(cases.slice(1))('%s: the object read back encodes to the same bytes', (_, type, make) => {
    const original = encodeMessage(type, make());
    expect(Buffer.from(encodeMessage(type, fromProto3Json(type, toProto3Json(type, make()))))).toEqual(Buffer.from(original));
  });

  it('Listener + HCM: encodes to the same bytes except the explicit default protobufjs wrote', () => {
    const type = RESOURCE_TYPES.listener;
    const readBack = Buffer.from(encodeMessage(type, fromProto3Json(type, toProto3Json(type, listener()))));
    // protobufjs encodes a proto3 scalar given explicitly even at its default (codec_type: AUTO = 0).
    expect(readBack).not.toEqual(Buffer.from(encodeMessage(type, listener())));
    const withoutDefault = listener();
    const typedConfig = withoutDefault.filter_chains?.[0]?.filters?.[0]?.typed_config as Record<string, unknown>;
    delete typedConfig.codec_type;
    expect(readBack).toEqual(Buffer.from(encodeMessage(type, withoutDefault)));
  });

  it.each(cases)('%s: printing the decoded wire message gives the same JSON', (_, type, make) => {
    const decoded = decodeMessage(type, encodeMessage(type, make()));
    expectJson(toProto3Json(type, decoded), toProto3Json(type, make()));
  });

  it('returns proto-loader object form: Duration objects, wrappers, Any with @type, int64 strings', () => {
    const object = fromProto3Json(RESOURCE_TYPES.listener, toProto3Json(RESOURCE_TYPES.listener, listener()));
    expect(object).toMatchObject({
      per_connection_buffer_limit_bytes: { value: 32768 },
      filter_chains: [
        {
          filters: [
            {
              typed_config: {
                '@type': HCM_TYPE,
                common_http_protocol_options: { idle_timeout: { seconds: '3600', nanos: 0 } },
                request_timeout: { seconds: '0', nanos: 250_000_000 },
                use_remote_address: { value: true },
                path_with_escaped_slashes_action: 'UNESCAPE_AND_REDIRECT',
              },
            },
          ],
        },
      ],
    });
  });
});

describe('fromProto3Json input handling', () => {
  it('accepts lowerCamel JSON names as well as proto names', () => {
    const camel = { clusterName: 'c', endpoints: [{ lbEndpoints: [{ endpoint: { address: { socketAddress: { address: '10.0.0.1', portValue: 80 } } } }], loadBalancingWeight: 3 }] };
    expectJson(toProto3Json(RESOURCE_TYPES.clusterLoadAssignment, fromProto3Json(RESOURCE_TYPES.clusterLoadAssignment, camel)), {
      cluster_name: 'c',
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.1', port_value: 80 } } } }], load_balancing_weight: 3 }],
    });
  });

  it('treats null as the default for ordinary fields', () => {
    expect(fromProto3Json(RESOURCE_TYPES.cluster, { name: 'c', connect_timeout: null, type: null })).toEqual({ name: 'c' });
  });

  it.each([
    [{ name: 'c', conect_timeout: '1s' }, /envoy\.config\.cluster\.v3\.Cluster: unknown field "conect_timeout"/],
    [{ type: 'ESD' }, /Cluster\.type: "ESD" is not a value of envoy\.config\.cluster\.v3\.Cluster\.DiscoveryType/],
    [{ connect_timeout: '5' }, /invalid google\.protobuf\.Duration "5"/],
    [{ connect_timeout: { seconds: 5 } }, /expected a string for google\.protobuf\.Duration/],
    [{ per_connection_buffer_limit_bytes: -1 }, /-1 is out of range for uint32/],
    [{ per_connection_buffer_limit_bytes: 1.5 }, /expected an integer/],
    [{ name: 7 }, /Cluster\.name: expected a string/],
    [{ metadata: { filter_metadata: [] } }, /filter_metadata: expected an object for a map/],
    [{ transport_socket_matches: {} }, /transport_socket_matches: expected an array/],
    [{ cluster_type: { name: 'x', typed_config: { value: 'x' } } }, /Any is missing '@type'/],
    [{ cluster_type: { name: 'x', typed_config: { '@type': 'type.googleapis.com/no.such.Type' } } }, /no\.such\.Type is not a loaded message type/],
    [{ name: 'c', name_: 'd' }, /unknown field "name_"/],
  ])('rejects %j', (json, error) => {
    expect(() => fromProto3Json(RESOURCE_TYPES.cluster, json)).toThrow(error);
  });

  it('rejects a field given under both spellings', () => {
    expect(() => fromProto3Json(RESOURCE_TYPES.cluster, { connect_timeout: '1s', connectTimeout: '2s' })).toThrow(/connect_timeout is given twice/);
  });

  it('names the path of a nested error', () => {
    expect(() => fromProto3Json(RESOURCE_TYPES.routeConfiguration, { virtual_hosts: [{ routes: [{ match: { prefx: '/' } }] }] })).toThrow(
      'envoy.config.route.v3.RouteConfiguration.virtual_hosts[0].routes[0].match: unknown field "prefx" in envoy.config.route.v3.RouteMatch',
    );
  });
});
