// IngressClass parameters through the whole translation: each class its own fleet with its own
// settings, and classes whose parameters cannot be used held at their last good configuration.
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, encodeMessage } from '../../../../xds-server/src/protos/envoy-protos.js';
import { validateMessage } from '../../../../xds-server/src/protos/validate.js';
import type { EnvoyConfig } from '../../pipeline.js';
import { classIngressYaml, ingressClassYaml, parametersYaml, serviceYaml } from '../../test-support/parameters-yaml.js';
import { fleetOf, translateYaml } from '../../test-support/translate-yaml.js';
import { simulateRequest } from '../../test-support/route-simulator.js';

function hcmOf(config: EnvoyConfig, ingressClass: string): Record<string, unknown> {
  const listener = fleetOf(config, ingressClass).resources.listeners[0];
  return (listener?.filter_chains?.[0]?.filters?.[0]?.typed_config ?? {}) as Record<string, unknown>;
}

function routeHostsOf(config: EnvoyConfig, ingressClass: string): string[] {
  return (fleetOf(config, ingressClass).resources.routeConfigurations[0]?.virtual_hosts ?? []).map((v) => v.name ?? '');
}

const twoClasses = (edgeSpec: object, internalSpec: object = {}): string[] => [
  ingressClassYaml({ name: 'edge', parameters: 'platform/edge' }),
  ingressClassYaml({ name: 'internal', parameters: 'internal-params' }),
  parametersYaml('platform/edge', edgeSpec),
  parametersYaml('internal-params', internalSpec),
  serviceYaml('shop', 1),
  serviceYaml('wiki', 2),
  classIngressYaml('shop', 'edge', 'shop.example.com', 'shop'),
  classIngressYaml('wiki', 'internal', 'wiki.corp.example', 'wiki'),
];

describe('IngressClass parameters', () => {
  it('give two classes different configuration, and each fleet only its own routes', () => {
    const config = translateYaml(
      ...twoClasses(
        {
          fleet: 'edge-fleet',
          listeners: { http: { address: '::', port: 80 }, https: { port: 443 } },
          timeouts: { connect: '250ms', request: '60s', requestHeaders: '5s', idle: '10m', streamIdle: '2m' },
          requestLimits: { maxRequestHeadersKiB: 96, maxBodySize: '8Mi' },
          clientIP: { useRemoteAddress: false, xffNumTrustedHops: 2 },
          accessLog: { enabled: true, format: 'JSON' },
        },
        { accessLog: { enabled: true } },
      ),
    );
    expect(config.diagnostics).toEqual([]);
    expect(config.held).toEqual([]);
    expect(config.fleets.map((f) => [f.ingressClass, f.fleet])).toEqual([
      ['edge', 'edge-fleet'],
      ['internal', 'internal'],
    ]);
    expect(routeHostsOf(config, 'edge')).toEqual(['shop.example.com']);
    expect(routeHostsOf(config, 'internal')).toEqual(['wiki.corp.example']);
    expect(fleetOf(config, 'edge').resources.clusters.map((c) => c.name)).toEqual(['default/shop/80']);
    expect(fleetOf(config, 'internal').resources.clusters.map((c) => c.name)).toEqual(['default/wiki/80']);

    const edge = fleetOf(config, 'edge').resources;
    expect(edge.listeners[0]?.address).toEqual({ socket_address: { address: '::', port_value: 80 } });
    expect(edge.clusters[0]?.connect_timeout).toEqual({ seconds: 0, nanos: 250_000_000 });
    const hcm = hcmOf(config, 'edge');
    expect(hcm).toMatchObject({
      use_remote_address: { value: false },
      xff_num_trusted_hops: 2,
      max_request_headers_kb: { value: 96 },
      request_timeout: { seconds: 60 },
      request_headers_timeout: { seconds: 5 },
      stream_idle_timeout: { seconds: 120 },
      common_http_protocol_options: { idle_timeout: { seconds: 600 } },
    });
    expect((hcm['http_filters'] as Array<{ name: string }>).map((f) => f.name)).toEqual(['envoy.filters.http.buffer', 'envoy.filters.http.router']);
    expect(hcm['access_log']).toMatchObject([{ name: 'envoy.access_loggers.stdout', typed_config: { log_format: { json_format: { fields: { response_code: { stringValue: '%RESPONSE_CODE%' } } } } } }]);

    const internal = hcmOf(config, 'internal');
    expect(fleetOf(config, 'internal').resources.listeners[0]?.address).toEqual({ socket_address: { address: '0.0.0.0', port_value: 8080 } });
    expect(internal).toMatchObject({ use_remote_address: { value: true }, request_timeout: { seconds: 300 } });
    expect(internal['xff_num_trusted_hops']).toBeUndefined();
    expect((internal['http_filters'] as Array<{ name: string }>).map((f) => f.name)).toEqual(['envoy.filters.http.router']);
    expect(internal['access_log']).toEqual([{ name: 'envoy.access_loggers.stdout', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog' } }]);

    // What Envoy would receive must encode and pass the protos' validation rules.
    for (const fleet of config.fleets) {
      for (const listener of fleet.resources.listeners) {
        expect(validateMessage(RESOURCE_TYPES.listener, listener)).toEqual([]);
        expect(encodeMessage(RESOURCE_TYPES.listener, listener).length).toBeGreaterThan(0);
      }
      for (const cluster of fleet.resources.clusters) expect(validateMessage(RESOURCE_TYPES.cluster, cluster)).toEqual([]);
    }
  });

  it('serve a class without parameters and one with empty parameters identically', () => {
    const without = translateYaml(ingressClassYaml({ name: 'edge' }), serviceYaml('shop', 1), classIngressYaml('shop', 'edge', 'shop.example.com', 'shop'));
    const empty = translateYaml(ingressClassYaml({ name: 'edge', parameters: 'defaults' }), parametersYaml('defaults', {}), serviceYaml('shop', 1), classIngressYaml('shop', 'edge', 'shop.example.com', 'shop'));
    expect(empty.fleets[0]?.resources).toEqual(without.fleets[0]?.resources);
  });

  it('hold a class whose parameters are missing, naming the IngressClass, and leave other classes alone', () => {
    const docs = twoClasses({});
    const config = translateYaml(...docs.filter((d) => !d.includes('name: edge, namespace: platform')));
    expect(config.fleets.map((f) => f.ingressClass)).toEqual(['internal']);
    expect(config.held).toEqual([{ ingressClass: 'edge', reason: 'spec.parameters: IngressClassParameters platform/edge not found; the class keeps serving its last good configuration until it exists' }]);
    expect(config.diagnostics).toEqual([{ object: 'IngressClass edge', severity: 'error', message: config.held[0]?.reason }]);
  });

  it('hold a class whose parameters are invalid, with one diagnostic per problem', () => {
    const config = translateYaml(...twoClasses({ timeouts: { connect: '0s' }, listeners: { https: { port: 8080 } } }));
    expect(config.fleets.map((f) => f.ingressClass)).toEqual(['internal']);
    expect(config.held.map((h) => h.ingressClass)).toEqual(['edge']);
    expect(config.diagnostics.map((d) => `${d.object}: ${d.message}`)).toEqual([
      'IngressClass edge: spec.parameters: IngressClassParameters platform/edge is invalid: spec.listeners: https.port must differ from http.port (both are 8080); the class keeps serving its last good configuration',
      'IngressClass edge: spec.parameters: IngressClassParameters platform/edge is invalid: spec.timeouts.connect: must be greater than 0s; the class keeps serving its last good configuration',
    ]);
    expect(config.classes.find((c) => c.ingressClass === 'edge')).toMatchObject({ accepted: false, ref: { kind: 'IngressClassParameters', namespace: 'platform', name: 'edge' } });
  });

  it('follow the Ingress API rules for the reference: group, kind, and scope with namespace', () => {
    const held = (options: Parameters<typeof ingressClassYaml>[0]): string[] =>
      translateYaml(ingressClassYaml(options), parametersYaml('platform/edge', {}), parametersYaml('edge', {})).diagnostics.map((d) => d.message);
    expect(held({ name: 'a', parameters: 'platform/edge', apiGroup: 'example.com' })).toEqual([
      'spec.parameters.apiGroup: Portico reads parameters of API group portico.dev only, not "example.com"; the class keeps serving its last good configuration',
    ]);
    expect(held({ name: 'a', parameters: 'edge', kind: 'IngressClassParameters' })).toEqual([
      'spec.parameters: IngressClassParameters is namespaced: set scope: Namespace and namespace (or use ClusterIngressClassParameters); the class keeps serving its last good configuration',
    ]);
    expect(held({ name: 'a', parameters: 'platform/edge', kind: 'ClusterIngressClassParameters' })).toEqual([
      'spec.parameters: ClusterIngressClassParameters is cluster-scoped: use scope: Cluster without a namespace (or use IngressClassParameters); the class keeps serving its last good configuration',
    ]);
    expect(held({ name: 'a', parameters: 'edge', kind: 'ConfigMap' })[0]).toMatch(/^spec.parameters.kind: must be IngressClassParameters or ClusterIngressClassParameters, not "ConfigMap"/);
    expect(held({ name: 'a', parameters: 'platform/edge' })).toEqual([]);
    expect(held({ name: 'a', parameters: 'edge' })).toEqual([]);
  });

  it('give each fleet name to one class: the class named like it, else the first by name', () => {
    const config = translateYaml(
      ingressClassYaml({ name: 'b', parameters: 'to-shared' }),
      ingressClassYaml({ name: 'c', parameters: 'to-shared' }),
      ingressClassYaml({ name: 'shared' }),
      ingressClassYaml({ name: 'x', parameters: 'to-y' }),
      ingressClassYaml({ name: 'w', parameters: 'to-y' }),
      parametersYaml('to-shared', { fleet: 'shared' }),
      parametersYaml('to-y', { fleet: 'y' }),
    );
    expect(config.fleets.map((f) => [f.ingressClass, f.fleet])).toEqual([
      ['shared', 'shared'],
      ['w', 'y'],
    ]);
    expect(config.held.map((h) => h.ingressClass)).toEqual(['b', 'c', 'x']);
    expect(config.diagnostics.find((d) => d.object === 'IngressClass x')?.message).toBe(
      'spec.parameters: ClusterIngressClassParameters to-y: spec.fleet "y" is already served by IngressClass w; give each class its own fleet; the class keeps serving its last good configuration',
    );
  });

  it('turn the nginx annotation family off: annotations are ignored, with a warning', () => {
    const annotated = { 'nginx.ingress.kubernetes.io/rewrite-target': '/', 'nginx.ingress.kubernetes.io/use-regex': 'true', 'example.com/other': 'x' };
    const docs = (nginx: boolean): string[] => [
      ingressClassYaml({ name: 'edge', parameters: 'p' }),
      parametersYaml('p', { annotationFamilies: { nginx } }),
      serviceYaml('shop', 1),
      classIngressYaml('shop', 'edge', 'shop.example.com', 'shop', annotated),
    ];
    const off = translateYaml(...docs(false));
    expect(off.diagnostics).toEqual([
      {
        object: 'Ingress default/shop',
        severity: 'warning',
        message:
          'metadata.annotations: nginx.ingress.kubernetes.io/rewrite-target, nginx.ingress.kubernetes.io/use-regex ignored: the parameters of IngressClass edge turn the nginx annotation family off (spec.annotationFamilies.nginx: false)',
      },
    ]);
    const route = (config: EnvoyConfig) => config.fleets[0]?.resources.routeConfigurations[0]?.virtual_hosts?.[0]?.routes?.[0];
    expect(route(off)?.route?.regex_rewrite).toBeUndefined();
    expect(route(off)?.match).toEqual({ prefix: '/' });
    const on = translateYaml(...docs(true));
    expect(on.diagnostics).toEqual([]);
    expect(route(on)?.route?.regex_rewrite).toBeDefined();
  });

  it('give every route the class defaults (idle timeout, retries, redirect code), which an Ingress\'s annotations override', () => {
    const docs = (spec: object): string[] => [
      ingressClassYaml({ name: 'edge', parameters: 'p' }),
      parametersYaml('p', spec),
      serviceYaml('shop', 1),
      serviceYaml('wiki', 2),
      classIngressYaml('shop', 'edge', 'shop.example.com', 'shop', { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/from-to-www-redirect': 'true' }),
      classIngressYaml('wiki', 'edge', 'wiki.example.com', 'wiki', { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '5', 'nginx.ingress.kubernetes.io/proxy-next-upstream': 'off' }),
    ];
    const table = (config: EnvoyConfig) => {
      const found = fleetOf(config, 'edge').resources.routeConfigurations.find((r) => r.name === 'http');
      if (!found) throw new Error('no http route table');
      return found;
    };
    const host = (config: EnvoyConfig, name: string) => table(config).virtual_hosts?.find((v) => v.name === name);

    const classic = translateYaml(...docs({ clientIP: { xffNumTrustedHops: 1 } }));
    expect(classic.diagnostics).toEqual([]);
    expect(simulateRequest(table(classic), 'shop.example.com', '/cart?x=1')).toMatchObject({ status: 'redirect', code: 308, location: 'https://shop.example.com/cart?x=1' });
    expect(simulateRequest(table(classic), 'www.shop.example.com', '/cart')).toMatchObject({ status: 'redirect', code: 308, location: 'http://shop.example.com/cart' });
    expect(host(classic, 'shop.example.com')?.retry_policy).toMatchObject({ retry_on: 'connect-failure,refused-stream,reset-before-request', num_retries: { value: 2 } });
    expect(host(classic, 'shop.example.com')?.retry_policy?.retriable_request_headers).toBeUndefined();

    const tuned = translateYaml(
      ...docs({ clientIP: { xffNumTrustedHops: 1 }, timeouts: { backendIdle: '2m' }, retries: { on: ['connect-failure', 'gateway-error'], tries: 5 }, redirects: { statusCode: 301 } }),
    );
    expect(tuned.diagnostics).toEqual([]);
    // Both the HTTPS redirect and the www twin answer with the class's code.
    expect(simulateRequest(table(tuned), 'shop.example.com', '/cart')).toMatchObject({ status: 'redirect', code: 301, location: 'https://shop.example.com/cart' });
    expect(simulateRequest(table(tuned), 'www.shop.example.com', '/cart')).toMatchObject({ status: 'redirect', code: 301 });
    // Served over HTTPS (a trusted proxy says so): forwarded, with the class's idle timeout.
    expect(simulateRequest(table(tuned), 'shop.example.com', '/cart', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'default/shop/80' });
    const shop = host(tuned, 'shop.example.com');
    expect(shop?.routes?.find((r) => r.route)?.route?.idle_timeout).toEqual({ seconds: 120 });
    // gateway-error may replay a request the backend received: idempotent methods only.
    expect(shop?.retry_policy).toMatchObject({ retry_on: 'connect-failure,gateway-error', num_retries: { value: 4 }, retriable_request_headers: [{ name: ':method' }] });
    const wiki = host(tuned, 'wiki.example.com')?.routes?.[0]?.route;
    expect(wiki?.idle_timeout).toEqual({ seconds: 5 });
    expect(wiki?.retry_policy).toEqual({});

    const noRetries = translateYaml(...docs({ retries: { on: [] } }));
    expect(host(noRetries, 'shop.example.com')?.retry_policy).toBeUndefined();
  });
});
