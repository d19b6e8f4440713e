// What users observe: requests routed through the generated RouteConfiguration, for the seed
// scenario, hosts, default backends, annotations and conflicts.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fixtures, ingressYaml, routeConfigurationOf, translateYaml } from '../test-support/translate-yaml.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', '..', 'examples');

describe('the seed scenario (examples/seed)', () => {
  const config = buildEnvoyConfig(loadManifests([join(EXAMPLES, 'seed')]).state);
  const routes = routeConfigurationOf(config, 'nginx');

  it.each([
    ['nginx1.example.com', '/', 'default/nginx1/80'],
    ['nginx1.example.com', '/any/path', 'default/nginx1/80'],
    ['nginx2.example.com', '/', 'default/nginx2/80'],
    ['NGINX2.Example.com:8080', '/x', 'default/nginx2/80'],
    ['other.example.com', '/', 'default/nginx1/80'],
    ['10.1.2.3', '/', 'default/nginx1/80'],
  ])('%s%s → %s', (host, path, cluster) => {
    expect(simulateRequest(routes, host, path)).toMatchObject({ status: 'routed', cluster });
  });

  it('has no diagnostics and one fleet named after the class', () => {
    expect(config.diagnostics).toEqual([]);
    expect(config.fleets.map((f) => [f.ingressClass, f.fleet])).toEqual([['nginx', 'nginx']]);
  });

  it('serves the endpoints of the EndpointSlices', () => {
    const [fleet] = config.fleets;
    const addresses = fleet?.resources.clusterLoadAssignments.map((cla) => [
      cla.cluster_name,
      (cla.endpoints ?? []).flatMap((l) => (l.lb_endpoints ?? []).map((e) => e.endpoint?.address?.socket_address?.address)),
    ]);
    expect(addresses).toEqual([
      ['default/nginx1/80', ['10.0.1.10', '10.0.1.11']],
      ['default/nginx2/80', ['10.0.2.10']],
    ]);
  });
});

describe('hosts', () => {
  const config = translateYaml(
    fixtures({ services: ['wild', 'exact', 'any'] }),
    ingressYaml({ name: 'w', host: '"*.foo.com"', paths: [{ path: '/', pathType: 'Prefix', service: 'wild' }] }),
    ingressYaml({ name: 'e', host: 'exact.foo.com', paths: [{ path: '/', pathType: 'Prefix', service: 'exact' }] }),
    ingressYaml({ name: 'h', paths: [{ path: '/', pathType: 'Prefix', service: 'any' }] }),
  );
  const routes = routeConfigurationOf(config, 'portico');

  it.each([
    ['bar.foo.com', 'default/wild/80'],
    ['BAR.foo.com:80', 'default/wild/80'],
    ['exact.foo.com', 'default/exact/80'],
    // A wildcard covers exactly one label: deeper names and the bare suffix fall to the hostless rule.
    ['foo.com', 'default/any/80'],
  ])('%s → %s', (host, cluster) => {
    expect(simulateRequest(routes, host, '/')).toMatchObject({ status: 'routed', cluster });
  });

  it('sends names deeper than *.foo.com covers on to the hostless rule, as for a host no rule names', () => {
    // Envoy files baz.bar.foo.com under *.foo.com; Kubernetes does not match it there.
    expect(simulateRequest(routes, 'baz.bar.foo.com', '/')).toMatchObject({ status: 'routed', virtualHost: '*.foo.com', cluster: 'default/any/80' });
    expect(simulateRequest(routes, 'a.b.c.foo.com:8080', '/x')).toMatchObject({ status: 'routed', cluster: 'default/any/80' });
  });

  it('sends deeper names to the default backend when there is no hostless rule, and keeps hostless paths in order', () => {
    const config = translateYaml(
      fixtures({ services: ['wild', 'api', 'fallback'] }),
      ingressYaml({ name: 'w', host: '"*.foo.com"', paths: [{ path: '/', pathType: 'Prefix', service: 'wild' }], defaultBackend: 'fallback' }),
      ingressYaml({ name: 'h', paths: [{ path: '/api', pathType: 'Prefix', service: 'api' }] }),
    );
    const table = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(table, 'x.foo.com', '/api')).toMatchObject({ status: 'routed', cluster: 'default/wild/80' });
    expect(simulateRequest(table, 'x.y.foo.com', '/api')).toMatchObject({ status: 'routed', cluster: 'default/api/80' });
    expect(simulateRequest(table, 'x.y.foo.com', '/other')).toMatchObject({ status: 'routed', cluster: 'default/fallback/80' });
  });

  it('never lets a hostless rule take a one-label name of the wildcard (404, or the default backend)', () => {
    const config = translateYaml(
      fixtures({ services: ['wild', 'status'], namespace: 'default' }),
      ingressYaml({ name: 'w', host: '"*.foo.com"', paths: [{ path: '/api', pathType: 'Prefix', service: 'wild' }] }),
      ingressYaml({ name: 'h', paths: [{ path: '/status', pathType: 'Prefix', service: 'status' }] }),
    );
    const table = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(table, 'x.foo.com', '/status').status).toBe('not-found');
    expect(simulateRequest(table, 'x.y.foo.com', '/status')).toMatchObject({ status: 'routed', cluster: 'default/status/80' });
    expect(simulateRequest(table, 'x.foo.com', '/api')).toMatchObject({ status: 'routed', cluster: 'default/wild/80' });
  });

  it('answers 404 for a deeper name when nothing else would take it either', () => {
    const only = translateYaml(fixtures({ services: ['wild'] }), ingressYaml({ host: '"*.foo.com"', paths: [{ path: '/', pathType: 'Prefix', service: 'wild' }] }));
    expect(simulateRequest(routeConfigurationOf(only, 'portico'), 'x.y.foo.com', '/').status).toBe('not-found');
  });

  it('answers 404 for unknown hosts when there is no default backend and no hostless rule', () => {
    const only = translateYaml(fixtures({ services: ['a'] }), ingressYaml({ host: 'a.example.com', paths: [{ path: '/a', pathType: 'Prefix', service: 'a' }] }));
    const table = routeConfigurationOf(only, 'portico');
    expect(simulateRequest(table, 'b.example.com', '/a').status).toBe('not-found');
    expect(simulateRequest(table, 'a.example.com', '/b').status).toBe('not-found');
  });
});

describe('default backend', () => {
  it('takes unmatched paths on every host, and unmatched hosts', () => {
    const config = translateYaml(
      fixtures({ services: ['api', 'fallback'] }),
      ingressYaml({ host: 'a.example.com', paths: [{ path: '/api', pathType: 'Prefix', service: 'api' }], defaultBackend: 'fallback' }),
    );
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'a.example.com', '/api/x')).toMatchObject({ cluster: 'default/api/80' });
    expect(simulateRequest(routes, 'a.example.com', '/other')).toMatchObject({ cluster: 'default/fallback/80' });
    expect(simulateRequest(routes, 'z.example.com', '/api')).toMatchObject({ cluster: 'default/fallback/80' });
  });
});

describe('nginx.ingress.kubernetes.io annotations', () => {
  it('rewrite-target with captures: /something → /, /something/new → /new (query kept)', () => {
    const config = translateYaml(
      fixtures({ services: ['s'] }),
      ingressYaml({
        host: 'rewrite.bar.com',
        annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/$2' },
        paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 's' }],
      }),
    );
    expect(config.diagnostics).toEqual([]);
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'rewrite.bar.com', '/something')).toMatchObject({ cluster: 'default/s/80', path: '/' });
    expect(simulateRequest(routes, 'rewrite.bar.com', '/something/')).toMatchObject({ path: '/' });
    expect(simulateRequest(routes, 'rewrite.bar.com', '/something/new')).toMatchObject({ path: '/new' });
    expect(simulateRequest(routes, 'rewrite.bar.com', '/SOMETHING/new/deeper?q=1')).toMatchObject({ path: '/new/deeper?q=1' });
    expect(simulateRequest(routes, 'rewrite.bar.com', '/somethingelse').status).toBe('not-found');
  });

  it('rewrite-target without captures replaces the whole path, as ingress-nginx does', () => {
    const config = translateYaml(
      fixtures({ services: ['s'] }),
      ingressYaml({ host: 'r.bar.com', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' }, paths: [{ path: '/app', pathType: 'Prefix', service: 's' }] }),
    );
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'r.bar.com', '/app')).toMatchObject({ path: '/' });
    expect(simulateRequest(routes, 'r.bar.com', '/app/deep/page')).toMatchObject({ path: '/' });
  });

  it('use-regex: ImplementationSpecific paths are case-insensitive regexes anchored at the start', () => {
    const config = translateYaml(
      fixtures({ services: ['v', 'rest'] }),
      ingressYaml({
        host: 'r.bar.com',
        annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' },
        paths: [
          { path: '/v[0-9]+/items', pathType: 'ImplementationSpecific', service: 'v' },
          { path: '/', pathType: 'Prefix', service: 'rest' },
        ],
      }),
    );
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'r.bar.com', '/v2/items/7')).toMatchObject({ cluster: 'default/v/80', path: '/v2/items/7' });
    expect(simulateRequest(routes, 'r.bar.com', '/V10/ITEMS')).toMatchObject({ cluster: 'default/v/80' });
    expect(simulateRequest(routes, 'r.bar.com', '/x/v2/items')).toMatchObject({ cluster: 'default/rest/80' });
  });

  it('without use-regex, ImplementationSpecific is a plain string prefix', () => {
    const config = translateYaml(fixtures({ services: ['s'] }), ingressYaml({ host: 'p.bar.com', paths: [{ path: '/static', pathType: 'ImplementationSpecific', service: 's' }] }));
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'p.bar.com', '/static/app.js')).toMatchObject({ cluster: 'default/s/80' });
    expect(simulateRequest(routes, 'p.bar.com', '/statically')).toMatchObject({ cluster: 'default/s/80' });
  });

  it('app-root redirects exactly / with 302 and leaves other paths alone', () => {
    const config = translateYaml(
      fixtures({ services: ['s'] }),
      ingressYaml({ host: 'approot.bar.com', annotations: { 'nginx.ingress.kubernetes.io/app-root': '/app1' }, paths: [{ path: '/', pathType: 'Prefix', service: 's' }] }),
    );
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'approot.bar.com', '/')).toMatchObject({ status: 'redirect', code: 302, location: 'http://approot.bar.com/app1' });
    expect(simulateRequest(routes, 'approot.bar.com', '/app1')).toMatchObject({ status: 'routed', cluster: 'default/s/80' });
  });
});

describe('conflicts between Ingresses', () => {
  const older = ingressYaml({ name: 'older', host: 'c.example.com', created: '2024-01-01T00:00:00Z', paths: [{ path: '/api', pathType: 'Prefix', service: 'old' }] });
  const newer = ingressYaml({ name: 'newer', host: 'c.example.com', created: '2025-01-01T00:00:00Z', paths: [{ path: '/api/', pathType: 'Prefix', service: 'new' }, { path: '/new', pathType: 'Prefix', service: 'new' }] });

  it('the oldest Ingress wins a host+path, in any order, and the loser is told why', () => {
    for (const config of [translateYaml(fixtures({ services: ['old', 'new'] }), older, newer), translateYaml(fixtures({ services: ['old', 'new'] }), newer, older)]) {
      const routes = routeConfigurationOf(config, 'portico');
      expect(simulateRequest(routes, 'c.example.com', '/api/x')).toMatchObject({ cluster: 'default/old/80' });
      expect(simulateRequest(routes, 'c.example.com', '/new')).toMatchObject({ cluster: 'default/new/80' });
      expect(config.diagnostics).toEqual([
        {
          object: 'Ingress default/newer',
          severity: 'error',
          message: 'spec.rules[0].http.paths[0]: host c.example.com Prefix /api is already routed by Ingress default/older, which is older; this path is ignored',
        },
      ]);
    }
  });

  it('without timestamps, namespace/name decides', () => {
    const a = ingressYaml({ name: 'a', host: 't.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'old' }] });
    const b = ingressYaml({ name: 'b', host: 't.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'new' }] });
    const config = translateYaml(fixtures({ services: ['old', 'new'] }), b, a);
    expect(simulateRequest(routeConfigurationOf(config, 'portico'), 't.example.com', '/')).toMatchObject({ cluster: 'default/old/80' });
    expect(config.diagnostics.map((d) => d.object)).toEqual(['Ingress default/b']);
  });
});

describe('one bad Ingress never blocks the others', () => {
  it('keeps every valid path while reporting the broken ones', () => {
    const config = translateYaml(
      fixtures({ services: ['good'] }),
      ingressYaml({ name: 'bad', host: 'bad.example.com', annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' }, paths: [{ path: '/(', pathType: 'ImplementationSpecific', service: 'good' }, { path: '/ok', pathType: 'Prefix', service: 'good' }] }),
      ingressYaml({ name: 'fine', host: 'fine.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'good' }] }),
    );
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'fine.example.com', '/')).toMatchObject({ cluster: 'default/good/80' });
    expect(simulateRequest(routes, 'bad.example.com', '/ok')).toMatchObject({ cluster: 'default/good/80' });
    expect(config.diagnostics).toHaveLength(1);
    expect(config.diagnostics[0]?.message).toMatch(/^spec\.rules\[0\]\.http\.paths\[0\]\.path: "\/\(" is not a valid RE2 regular expression/);
  });

  it('routes a missing Service to an empty cluster (503), never to someone else\'s backend', () => {
    const config = translateYaml(
      fixtures({ services: ['root'] }),
      ingressYaml({ host: 'm.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'root' }, { path: '/gone', pathType: 'Prefix', service: 'gone' }] }),
    );
    const fleet = config.fleets[0];
    expect(simulateRequest(routeConfigurationOf(config, 'portico'), 'm.example.com', '/gone/x')).toMatchObject({ cluster: 'default/gone/80' });
    expect(fleet?.resources.clusterLoadAssignments.find((c) => c.cluster_name === 'default/gone/80')).toEqual({ cluster_name: 'default/gone/80', endpoints: [] });
  });
});

describe('endpoints', () => {
  it('a Service whose endpoints are all unready gets an empty ClusterLoadAssignment, not a missing one', () => {
    const config = translateYaml(
      fixtures({ services: [] }),
      `apiVersion: v1\nkind: Service\nmetadata: {name: idle, namespace: default}\nspec: {ports: [{name: http, port: 80}]}`,
      `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: idle-1, namespace: default, labels: {kubernetes.io/service-name: idle}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [10.9.0.1], conditions: {ready: false}}]`,
      ingressYaml({ host: 'idle.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'idle' }] }),
    );
    expect(config.diagnostics).toEqual([]);
    const resources = config.fleets[0]?.resources;
    expect(resources?.clusters.map((c) => c.name)).toEqual(['default/idle/80']);
    expect(resources?.clusterLoadAssignments).toEqual([{ cluster_name: 'default/idle/80', endpoints: [] }]);
  });

  it('merges slices of one Service, skips other ports and FQDN slices, and dedupes addresses', () => {
    const slice = (name: string, addressType: string, port: string, addresses: string[]): string =>
      `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}, namespace: default, labels: {kubernetes.io/service-name: multi}}\naddressType: ${addressType}\nports: [${port}]\nendpoints: [{addresses: ${JSON.stringify(addresses)}}]`;
    const config = translateYaml(
      fixtures({ services: [] }),
      `apiVersion: v1\nkind: Service\nmetadata: {name: multi, namespace: default}\nspec: {ports: [{name: http, port: 80}, {name: admin, port: 9000}]}`,
      slice('multi-a', 'IPv4', '{name: http, port: 8080}, {name: admin, port: 9001}', ['10.0.0.2', '10.0.0.1']),
      slice('multi-b', 'IPv4', '{name: http, port: 8080}', ['10.0.0.1', '10.0.0.3']),
      slice('multi-c', 'IPv6', '{name: http, port: 8080}', ['fd00::1']),
      slice('multi-d', 'FQDN', '{name: http, port: 8080}', ['db.example.com']),
      ingressYaml({ host: 'multi.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'multi' }] }),
    );
    const [assignment] = config.fleets[0]?.resources.clusterLoadAssignments ?? [];
    const addresses = (assignment?.endpoints ?? []).flatMap((l) => (l.lb_endpoints ?? []).map((e) => `${e.endpoint?.address?.socket_address?.address}:${e.endpoint?.address?.socket_address?.port_value}`));
    expect(addresses).toEqual(['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080', 'fd00::1:8080']);
  });
});

