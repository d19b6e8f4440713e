// What users of ingress-nginx annotations observe: requests through the generated configuration
// for redirects, and per-Ingress backend settings that must not leak to another Ingress.
import { describe, expect, it } from 'vitest';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fixtures, fleetOf, ingressYaml, routeConfigurationOf, translateYaml } from '../test-support/translate-yaml.js';

const NGINX = 'nginx.ingress.kubernetes.io/';
const root = (service: string) => [{ path: '/', pathType: 'Prefix', service }];

describe('permanent-redirect and temporal-redirect', () => {
  const config = translateYaml(
    fixtures({ services: ['app'] }),
    ingressYaml({ name: 'moved', host: 'old.example.com', paths: root('app'), annotations: { [`${NGINX}permanent-redirect`]: 'https://new.example.com/landing' } }),
    ingressYaml({ name: 'keep', host: 'keep.example.com', paths: root('app'), annotations: { [`${NGINX}permanent-redirect`]: 'https://new.example.com$request_uri', [`${NGINX}permanent-redirect-code`]: '308' } }),
    ingressYaml({ name: 'temp', host: 'temp.example.com', paths: root('app'), annotations: { [`${NGINX}temporal-redirect`]: 'http://status.example.com:8080/?from=temp' } }),
  );
  const routes = routeConfigurationOf(config, 'portico');

  it.each([
    ['old.example.com', '/a/b?x=1', 301, 'https://new.example.com/landing'],
    ['keep.example.com', '/a/b?x=1', 308, 'https://new.example.com/a/b?x=1'],
    ['temp.example.com', '/a?x=1', 302, 'http://status.example.com:8080/?from=temp'],
  ])('%s%s → %d %s', (host, path, code, location) => {
    expect(simulateRequest(routes, host, path)).toMatchObject({ status: 'redirect', code, location });
  });

  it('reports nothing for valid values', () => {
    expect(config.diagnostics).toEqual([]);
  });
});

describe('from-to-www-redirect', () => {
  const config = translateYaml(
    fixtures({ services: ['app', 'other'] }),
    ingressYaml({ name: 'brand', host: 'brand.example.com', paths: root('app'), annotations: { [`${NGINX}from-to-www-redirect`]: 'true' } }),
    ingressYaml({ name: 'www', host: 'www.shop.example.com', paths: root('app'), annotations: { [`${NGINX}from-to-www-redirect`]: 'true' } }),
    ingressYaml({ name: 'shop', host: 'shop.example.com', paths: root('other'), created: '2030-01-01T00:00:00Z' }),
  );
  const routes = routeConfigurationOf(config, 'portico');

  it('redirects the www twin to the rule host with 308, keeping path and query', () => {
    expect(simulateRequest(routes, 'www.brand.example.com', '/p?q=1')).toMatchObject({ status: 'redirect', code: 308, location: 'http://brand.example.com/p?q=1' });
    expect(simulateRequest(routes, 'brand.example.com', '/p')).toMatchObject({ status: 'routed', cluster: 'default/app/80' });
  });

  it('never takes a host another Ingress routes, and says so', () => {
    expect(simulateRequest(routes, 'shop.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'default/other/80' });
    expect(config.diagnostics).toEqual([
      { object: 'Ingress default/www', severity: 'warning', message: `metadata.annotations["${NGINX}from-to-www-redirect"]: shop.example.com is routed by an Ingress of its own, so it is not redirected to www.shop.example.com` },
    ]);
  });
});

describe('per-Ingress backend settings', () => {
  const config = translateYaml(
    fixtures({ services: ['app'] }),
    ingressYaml({ name: 'plain', host: 'plain.example.com', paths: root('app') }),
    ingressYaml({ name: 'tuned', host: 'tuned.example.com', paths: root('app'), annotations: { [`${NGINX}backend-protocol`]: 'grpc', [`${NGINX}proxy-connect-timeout`]: '2', [`${NGINX}load-balance`]: 'ewma' } }),
    ingressYaml({ name: 'twin', host: 'twin.example.com', paths: root('app'), annotations: { [`${NGINX}backend-protocol`]: 'GRPC', [`${NGINX}proxy-connect-timeout`]: '2', [`${NGINX}load-balance`]: 'ewma' } }),
  );
  const fleet = fleetOf(config, 'portico');
  const routes = routeConfigurationOf(config, 'portico');
  const cluster = (name: string) => fleet.resources.clusters.find((c) => c.name === name);

  it('gives an Ingress that changes how Envoy talks to a Service a cluster of its own, shared by Ingresses asking the same', () => {
    expect(simulateRequest(routes, 'plain.example.com', '/')).toMatchObject({ cluster: 'default/app/80' });
    expect(simulateRequest(routes, 'tuned.example.com', '/')).toMatchObject({ cluster: 'default/app/80/h2,least-request,connect-2s' });
    expect(simulateRequest(routes, 'twin.example.com', '/')).toMatchObject({ cluster: 'default/app/80/h2,least-request,connect-2s' });
  });

  it('leaves the plain cluster as it was: HTTP/1.1, round robin, the class connect timeout', () => {
    expect(cluster('default/app/80')).toMatchObject({ connect_timeout: { seconds: 5 } });
    expect(cluster('default/app/80')?.typed_extension_protocol_options).toBeUndefined();
    expect(cluster('default/app/80')?.load_balancing_policy).toBeUndefined();
    expect(cluster('default/app/80/h2,least-request,connect-2s')).toMatchObject({ connect_timeout: { seconds: 2 }, eds_cluster_config: { service_name: 'default/app/80' } });
  });

  it('publishes the Service port\'s endpoints once, for both clusters', () => {
    expect(fleet.resources.clusterLoadAssignments.map((c) => c.cluster_name)).toEqual(['default/app/80']);
    expect(fleet.origins.clusterLoadAssignment?.['default/app/80']).toEqual(expect.arrayContaining(['Ingress default/plain', 'Ingress default/tuned', 'Ingress default/twin']));
  });
});

describe('route defaults nginx users took for granted', () => {
  const config = translateYaml(fixtures({ services: ['app'] }), ingressYaml({ host: 'a.example.com', paths: root('app') }));
  const routes = routeConfigurationOf(config, 'portico');
  const [virtualHost] = routes.virtual_hosts ?? [];

  it('has no overall timeout (Envoy would cut at 15 s) and nginx\'s 60 s between reads', () => {
    expect(virtualHost?.routes?.[0]?.route).toMatchObject({ timeout: { seconds: 0 }, idle_timeout: { seconds: 60 } });
  });

  it('retries, on another endpoint, only what cannot have reached the backend', () => {
    expect(virtualHost?.retry_policy).toMatchObject({ retry_on: 'connect-failure,refused-stream,reset-before-request', num_retries: { value: 2 } });
  });

  it('sets the headers nginx set, replacing what a client sent', () => {
    expect(routes.request_headers_to_add?.map((h) => [h.header?.key, h.append_action])).toEqual([
      ['x-real-ip', 'OVERWRITE_IF_EXISTS_OR_ADD'],
      ['x-forwarded-host', 'OVERWRITE_IF_EXISTS_OR_ADD'],
      ['x-forwarded-port', 'OVERWRITE_IF_EXISTS_OR_ADD'],
      ['x-forwarded-scheme', 'OVERWRITE_IF_EXISTS_OR_ADD'],
      ['x-scheme', 'OVERWRITE_IF_EXISTS_OR_ADD'],
    ]);
  });

  it('proxies WebSocket upgrades on every listener', () => {
    const [listener] = fleetOf(config, 'portico').resources.listeners;
    expect(JSON.stringify(listener)).toContain('"upgrade_configs":[{"upgrade_type":"websocket"}]');
  });
});

describe('server-alias', () => {
  const config = translateYaml(
    fixtures({ services: ['app', 'other'] }),
    ingressYaml({ name: 'main', host: 'main.example.com', paths: root('app'), annotations: { [`${NGINX}server-alias`]: 'alias.example.com, taken.example.com, *.wild.example.com' } }),
    ingressYaml({ name: 'taken', host: 'taken.example.com', paths: root('other'), created: '2030-01-01T00:00:00Z' }),
  );
  const routes = routeConfigurationOf(config, 'portico');

  it('answers an alias exactly as the host it aliases', () => {
    expect(simulateRequest(routes, 'alias.example.com', '/x')).toMatchObject({ status: 'routed', cluster: 'default/app/80' });
  });

  it('never takes a name another Ingress routes, even a newer one, and refuses wildcards', () => {
    expect(simulateRequest(routes, 'taken.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'default/other/80' });
    expect(config.diagnostics.map((d) => [d.object, d.severity, d.message])).toEqual([
      ['Ingress default/main', 'error', `metadata.annotations["${NGINX}server-alias"]: "*.wild.example.com" is a wildcard; only exact names can be aliases, so it is ignored`],
      ['Ingress default/main', 'warning', `metadata.annotations["${NGINX}server-alias"]: taken.example.com is routed as a host by an Ingress, so it is not an alias of main.example.com`],
    ]);
  });
});

describe('affinity to a backend that does not resolve', () => {
  // Found by the incremental translation property test: the route hashed over a cluster that
  // does not balance by hash, which broke the IR's rules and held the whole class.
  const config = translateYaml(
    fixtures({ services: ['app'] }),
    ingressYaml({ name: 'sticky', host: 'sticky.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'missing' }], annotations: { [`${NGINX}affinity`]: 'cookie' } }),
    ingressYaml({ name: 'other', host: 'other.example.com', paths: root('app') }),
  );

  it('holds no class: the Ingress answers 503 and the others are served', () => {
    expect(config.held).toEqual([]);
    expect(config.diagnostics.map((d) => d.object)).toEqual(['Ingress default/sticky']);
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'other.example.com', '/')).toMatchObject({ status: 'routed' });
    expect(simulateRequest(routes, 'sticky.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'default/missing/80' });
  });
});
