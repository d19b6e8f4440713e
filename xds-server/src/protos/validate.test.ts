import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from './envoy-protos.js';
import { assertValid, validateMessage } from './validate.js';
import { without } from './test-support/without.js';
import { clusterLoadAssignment, connectionManager, edsCluster, HCM_TYPE, listener, routeConfiguration, ROUTER_TYPE } from './test-support/envoy-fixtures.js';

const ROUTES = RESOURCE_TYPES.routeConfiguration;
const PATH_SEPARATED_PATTERN = 'value does not match regex pattern "^[^?#]+[^?#/]$"';

/** A RouteConfiguration with one virtual host holding exactly `routes`. */
function withRoutes(routes: object[]): object {
  return { name: 'rc', virtual_hosts: [{ name: 'vh', domains: ['*'], routes }] };
}

describe('validateMessage on valid Envoy resources', () => {
  it.each([
    ['Listener with an HttpConnectionManager typed_config', RESOURCE_TYPES.listener, listener()],
    ['RouteConfiguration with regex, rewrite, redirect and direct response', ROUTES, routeConfiguration()],
    ['EDS Cluster with eds_config ads', RESOURCE_TYPES.cluster, edsCluster()],
    ['ClusterLoadAssignment with locality {} and weights', RESOURCE_TYPES.clusterLoadAssignment, clusterLoadAssignment()],
  ])('%s has no violations', (_, type, resource) => {
    expect(validateMessage(type, resource)).toEqual([]);
    expect(() => assertValid(type, resource)).not.toThrow();
  });

  it('accepts a path_separated_prefix without a trailing slash', () => {
    expect(validateMessage(ROUTES, withRoutes([{ match: { path_separated_prefix: '/foo' }, route: { cluster: 'c' } }]))).toEqual([]);
  });

  it('leaves unset wrappers alone even when their wrapped value would break the rule', () => {
    const cla = clusterLoadAssignment();
    delete cla.endpoints?.[0]?.load_balancing_weight;
    expect(validateMessage(RESOURCE_TYPES.clusterLoadAssignment, cla)).toEqual([]);
  });
});

describe('validateMessage on invalid routes', () => {
  it('flags path_separated_prefix "/" and "/foo/" with the proto pattern', () => {
    const violations = validateMessage(
      ROUTES,
      withRoutes([
        { match: { path_separated_prefix: '/' }, route: { cluster: 'c' } },
        { match: { path_separated_prefix: '/foo' }, route: { cluster: 'c' } },
        { match: { path_separated_prefix: '/foo/' }, route: { cluster: 'c' } },
      ]),
    );
    expect(violations).toEqual([
      { path: 'virtual_hosts[0].routes[0].match.path_separated_prefix', message: PATH_SEPARATED_PATTERN },
      { path: 'virtual_hosts[0].routes[2].match.path_separated_prefix', message: PATH_SEPARATED_PATTERN },
    ]);
  });

  it('applies a oneof member rule to a default value once that member is set', () => {
    expect(validateMessage(ROUTES, withRoutes([{ match: { path_separated_prefix: '' }, route: { cluster: 'c' } }]))).toEqual([
      { path: 'virtual_hosts[0].routes[0].match.path_separated_prefix', message: PATH_SEPARATED_PATTERN },
    ]);
  });

  it('flags a virtual host with no domains and an empty name', () => {
    expect(validateMessage(ROUTES, { virtual_hosts: [{ name: '', domains: [] }] })).toEqual([
      { path: 'virtual_hosts[0].name', message: 'value length must be at least 1 runes' },
      { path: 'virtual_hosts[0].domains', message: 'value must contain at least 1 item(s)' },
    ]);
  });

  it('flags a route with neither an action nor a match', () => {
    expect(validateMessage(ROUTES, withRoutes([{}]))).toEqual([
      {
        path: 'virtual_hosts[0].routes[0].action',
        message: 'value is required: set one of route, redirect, direct_response, filter_action, non_forwarding_action',
      },
      { path: 'virtual_hosts[0].routes[0].match', message: 'value is required' },
    ]);
  });

  it('flags a route whose match has no path specifier', () => {
    expect(validateMessage(ROUTES, withRoutes([{ match: {}, route: { cluster: 'c' } }]))).toEqual([
      {
        path: 'virtual_hosts[0].routes[0].match.path_specifier',
        message: 'value is required: set one of prefix, path, safe_regex, connect_matcher, path_separated_prefix, path_match_policy',
      },
    ]);
  });

  it("flags a RouteAction with cluster ''", () => {
    expect(validateMessage(ROUTES, withRoutes([{ match: { prefix: '/' }, route: { cluster: '' } }]))).toEqual([
      { path: 'virtual_hosts[0].routes[0].route.cluster', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('flags direct_response statuses outside [200, 600)', () => {
    const violations = validateMessage(
      ROUTES,
      withRoutes([
        { match: { prefix: '/a' }, direct_response: { status: 600 } },
        { match: { prefix: '/b' }, direct_response: { status: 199 } },
        { match: { prefix: '/c' }, direct_response: { status: 599 } },
      ]),
    );
    expect(violations).toEqual([
      { path: 'virtual_hosts[0].routes[0].direct_response.status', message: 'value must be inside range [200, 600)' },
      { path: 'virtual_hosts[0].routes[1].direct_response.status', message: 'value must be inside range [200, 600)' },
    ]);
  });

  it('flags a domain with CR/LF (HTTP_HEADER_VALUE, strict: false) but not other control characters', () => {
    const violations = validateMessage(ROUTES, {
      virtual_hosts: [{ name: 'vh', domains: ['example.com', 'evil.com\r\nx-injected: 1', 'nul\u0000', 'soh\u0001ok'] }],
    });
    expect(violations).toEqual([
      { path: 'virtual_hosts[0].domains[1]', message: 'value must not contain NUL, CR or LF (HTTP_HEADER_VALUE, strict: false)' },
      { path: 'virtual_hosts[0].domains[2]', message: 'value must not contain NUL, CR or LF (HTTP_HEADER_VALUE, strict: false)' },
    ]);
  });

  it('flags a redirect response_code that is not a defined enum number', () => {
    expect(validateMessage(ROUTES, withRoutes([{ match: { prefix: '/' }, redirect: { response_code: 9 } }]))).toEqual([
      { path: 'virtual_hosts[0].routes[0].redirect.response_code', message: 'value must be one of the defined enum values' },
    ]);
  });

  it('flags a route with two actions, which protobufjs would encode both of', () => {
    expect(validateMessage(ROUTES, withRoutes([{ match: { prefix: '/' }, route: { cluster: 'c' }, redirect: { https_redirect: true } }]))).toEqual([
      {
        path: 'virtual_hosts[0].routes[0].action',
        message: 'only one of route, redirect, direct_response, filter_action, non_forwarding_action may be set, found route, redirect',
      },
    ]);
  });

  it('flags an empty regex and an empty weighted_clusters list', () => {
    const violations = validateMessage(
      ROUTES,
      withRoutes([
        { match: { safe_regex: { regex: '' } }, route: { weighted_clusters: { clusters: [] } } },
      ]),
    );
    expect(violations).toEqual([
      { path: 'virtual_hosts[0].routes[0].match.safe_regex.regex', message: 'value length must be at least 1 runes' },
      { path: 'virtual_hosts[0].routes[0].route.weighted_clusters.clusters', message: 'value must contain at least 1 item(s)' },
    ]);
  });
});

describe('validateMessage inside Anys', () => {
  /** The fixture Listener with `typedConfig` as its one network filter's typed_config. */
  function listenerWithTypedConfig(typedConfig: object): object {
    return { ...listener(), filter_chains: [{ filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: typedConfig }] }] };
  }

  function listenerWith(hcm: object): object {
    return listenerWithTypedConfig({ '@type': HCM_TYPE, ...hcm });
  }

  it('flags a HttpConnectionManager typed_config that lacks stat_prefix', () => {
    expect(validateMessage(RESOURCE_TYPES.listener, listenerWith(without(connectionManager(), 'stat_prefix')))).toEqual([
      { path: 'filter_chains[0].filters[0].typed_config.stat_prefix', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('recurses through an Any inside an Any (the router filter inside the HCM)', () => {
    const hcm = { ...connectionManager(), http_filters: [{ name: '', typed_config: { '@type': ROUTER_TYPE } }] };
    expect(validateMessage(RESOURCE_TYPES.listener, listenerWith(hcm))).toEqual([
      { path: 'filter_chains[0].filters[0].typed_config.http_filters[0].name', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('flags an HCM with neither rds nor route_config, and an out-of-range wrapper', () => {
    const hcm = { ...without(connectionManager(), 'rds'), max_request_headers_kb: { value: 0 } };
    expect(validateMessage(RESOURCE_TYPES.listener, listenerWith(hcm))).toEqual([
      {
        path: 'filter_chains[0].filters[0].typed_config.route_specifier',
        message: 'value is required: set one of rds, route_config, scoped_routes',
      },
      { path: 'filter_chains[0].filters[0].typed_config.max_request_headers_kb', message: 'value must be inside range (0, 8192]' },
    ]);
  });

  it("flags an Any whose '@type' names no loaded message (protobufjs would send it empty)", () => {
    const resource = listenerWithTypedConfig({ '@type': 'type.googleapis.com/envoy.extensions.filters.network.nope.v3.Nope', stat_prefix: 'x' });
    expect(validateMessage(RESOURCE_TYPES.listener, resource)).toEqual([
      {
        path: 'filter_chains[0].filters[0].typed_config',
        message: "Any has no type_url (missing '@type', or it names a message that is not loaded)",
      },
    ]);
  });

  it('flags a TypedExtensionConfig without typed_config (any.required)', () => {
    const resource = listenerWith({ ...connectionManager(), http_filters: [{ name: 'envoy.filters.http.router' }] });
    expect(validateMessage(RESOURCE_TYPES.listener, resource)).toEqual([]);
    expect(validateMessage('envoy.config.core.v3.TypedExtensionConfig', { name: 'x' })).toEqual([
      { path: 'typed_config', message: 'value is required' },
    ]);
  });
});

describe('validateMessage on clusters and endpoints', () => {
  it('flags a zero connect_timeout and a sub-millisecond dns_refresh_rate (Duration rules)', () => {
    const cluster = { ...edsCluster(), connect_timeout: { seconds: 0, nanos: 0 }, dns_refresh_rate: { seconds: 0, nanos: 1000 } };
    expect(validateMessage(RESOURCE_TYPES.cluster, cluster)).toEqual([
      { path: 'connect_timeout', message: 'value must be greater than 0s' },
      { path: 'dns_refresh_rate', message: 'value must be greater than 0.001s' },
    ]);
  });

  it('checks a strict HTTP_HEADER_VALUE (health check host) against control characters', () => {
    const healthCheck = {
      timeout: { seconds: 1 },
      interval: { seconds: 5 },
      unhealthy_threshold: { value: 3 },
      healthy_threshold: { value: 1 },
      http_health_check: { path: '/healthz', host: 'bad\u0001host' },
    };
    expect(validateMessage(RESOURCE_TYPES.cluster, { ...edsCluster(), health_checks: [healthCheck] })).toEqual([
      {
        path: 'health_checks[0].http_health_check.host',
        message: 'value must be a valid HTTP header value (HTTP_HEADER_VALUE)',
      },
    ]);
    const withoutTimeout = { ...without(healthCheck, 'timeout'), http_health_check: { path: '/' } };
    expect(validateMessage(RESOURCE_TYPES.cluster, { ...edsCluster(), health_checks: [withoutTimeout] })).toEqual([
      { path: 'health_checks[0].timeout', message: 'value is required' },
    ]);
  });

  it('flags a zero locality weight, a bad port, an empty address and an undefined protocol', () => {
    const cla = {
      cluster_name: '',
      endpoints: [
        {
          load_balancing_weight: { value: 0 },
          lb_endpoints: [{ endpoint: { address: { socket_address: { address: '', port_value: 70000, protocol: 7 } } } }],
        },
      ],
    };
    expect(validateMessage(RESOURCE_TYPES.clusterLoadAssignment, cla)).toEqual([
      { path: 'cluster_name', message: 'value length must be at least 1 runes' },
      { path: 'endpoints[0].lb_endpoints[0].endpoint.address.socket_address.protocol', message: 'value must be one of the defined enum values' },
      { path: 'endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address', message: 'value length must be at least 1 runes' },
      { path: 'endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value', message: 'value must be less than or equal to 65535' },
      { path: 'endpoints[0].load_balancing_weight', message: 'value must be greater than or equal to 1' },
    ]);
  });

  it('flags metadata with an empty filter name (map keys rule)', () => {
    const cla = clusterLoadAssignment();
    const endpoint = cla.endpoints?.[0]?.lb_endpoints?.[0];
    if (!endpoint) throw new Error('fixture changed');
    endpoint.metadata = { filter_metadata: { '': { fields: { a: { stringValue: 'b' } } }, 'envoy.lb': { fields: {} } } };
    expect(validateMessage(RESOURCE_TYPES.clusterLoadAssignment, cla)).toEqual([
      { path: 'endpoints[0].lb_endpoints[0].metadata.filter_metadata[""]', message: 'map key: value length must be at least 1 runes' },
    ]);
  });
});

describe('validateMessage on objects protobufjs cannot convert', () => {
  it('reports the conversion error instead of throwing', () => {
    const violations = validateMessage(RESOURCE_TYPES.listener, { name: 'l', address: 'not an object' });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.path).toBe('');
    expect(violations[0]?.message).toMatch(/^cannot be converted to envoy\.config\.listener\.v3\.Listener: .*address: object expected/);
  });
});

describe('assertValid', () => {
  it('throws one error listing every violation with its path', () => {
    expect(() => assertValid(ROUTES, { virtual_hosts: [{ name: '', domains: [] }] })).toThrowError(
      [
        'envoy.config.route.v3.RouteConfiguration has 2 validation violation(s):',
        '  virtual_hosts[0].name: value length must be at least 1 runes',
        '  virtual_hosts[0].domains: value must contain at least 1 item(s)',
      ].join('\n'),
    );
  });
});
