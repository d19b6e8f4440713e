// Every row of the Kubernetes path-matching table (ingress-semantics.md §1), checked by routing
// the request through the generated RouteConfiguration the way Envoy does.
import { describe, expect, it } from 'vitest';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fixtures, ingressYaml, routeConfigurationOf, translateYaml } from '../test-support/translate-yaml.js';

interface Row {
  kind: string;
  paths: Array<[string, 'Exact' | 'Prefix']>;
  request: string;
  /** Index into paths of the rule that must win, or null for "no match" (404). */
  expected: number | null;
}

const TABLE: Row[] = [
  { kind: 'Prefix', paths: [['/', 'Prefix']], request: '/anything/at/all', expected: 0 },
  { kind: 'Exact', paths: [['/foo', 'Exact']], request: '/foo', expected: 0 },
  { kind: 'Exact', paths: [['/foo', 'Exact']], request: '/bar', expected: null },
  { kind: 'Exact', paths: [['/foo', 'Exact']], request: '/foo/', expected: null },
  { kind: 'Exact', paths: [['/foo/', 'Exact']], request: '/foo', expected: null },
  { kind: 'Prefix', paths: [['/foo', 'Prefix']], request: '/foo', expected: 0 },
  { kind: 'Prefix', paths: [['/foo', 'Prefix']], request: '/foo/', expected: 0 },
  { kind: 'Prefix', paths: [['/foo/', 'Prefix']], request: '/foo', expected: 0 },
  { kind: 'Prefix', paths: [['/foo/', 'Prefix']], request: '/foo/', expected: 0 },
  { kind: 'Prefix', paths: [['/aaa/bb', 'Prefix']], request: '/aaa/bbb', expected: null },
  { kind: 'Prefix', paths: [['/aaa/bbb', 'Prefix']], request: '/aaa/bbb', expected: 0 },
  { kind: 'Prefix', paths: [['/aaa/bbb/', 'Prefix']], request: '/aaa/bbb', expected: 0 },
  { kind: 'Prefix', paths: [['/aaa/bbb', 'Prefix']], request: '/aaa/bbb/', expected: 0 },
  { kind: 'Prefix', paths: [['/aaa/bbb', 'Prefix']], request: '/aaa/bbb/ccc', expected: 0 },
  { kind: 'Prefix', paths: [['/aaa/bbb', 'Prefix']], request: '/aaa/bbbxyz', expected: null },
  { kind: 'Prefix', paths: [['/', 'Prefix'], ['/aaa', 'Prefix']], request: '/aaa/ccc', expected: 1 },
  { kind: 'Prefix', paths: [['/', 'Prefix'], ['/aaa', 'Prefix'], ['/aaa/bbb', 'Prefix']], request: '/aaa/bbb', expected: 2 },
  { kind: 'Prefix', paths: [['/', 'Prefix'], ['/aaa', 'Prefix'], ['/aaa/bbb', 'Prefix']], request: '/ccc', expected: 0 },
  { kind: 'Prefix', paths: [['/aaa', 'Prefix']], request: '/ccc', expected: null },
  { kind: 'Mixed', paths: [['/foo', 'Prefix'], ['/foo', 'Exact']], request: '/foo', expected: 1 },
];

describe('Kubernetes path-matching table', () => {
  for (const row of TABLE) {
    const rules = row.paths.map(([p, t]) => `${t} ${p}`).join(', ');
    const outcome = row.expected === null ? 'no match (404)' : `matches ${row.paths[row.expected]?.join(' ')}`;
    it(`${row.kind} [${rules}], request ${row.request}: ${outcome}`, () => {
      const services = row.paths.map((_, i) => `svc${i}`);
      const paths = row.paths.map(([path, pathType], i) => ({ path, pathType, service: `svc${i}` }));
      const config = translateYaml(fixtures({ services }), ingressYaml({ host: 'foo.bar.com', paths }));
      expect(config.diagnostics).toEqual([]);
      const result = simulateRequest(routeConfigurationOf(config, 'portico'), 'foo.bar.com', row.request);
      if (row.expected === null) expect(result.status).toBe('not-found');
      else expect(result).toMatchObject({ status: 'routed', cluster: `default/svc${row.expected}/80` });
    });
  }

  it('does not depend on the order paths are listed in', () => {
    const ordered = [
      { path: '/', pathType: 'Prefix', service: 'a' },
      { path: '/aaa', pathType: 'Prefix', service: 'b' },
      { path: '/aaa', pathType: 'Exact', service: 'c' },
      { path: '/aaa/bbb', pathType: 'Prefix', service: 'd' },
    ];
    const forward = translateYaml(fixtures({ services: ['a', 'b', 'c', 'd'] }), ingressYaml({ host: 'h.example.com', paths: ordered }));
    const backward = translateYaml(fixtures({ services: ['a', 'b', 'c', 'd'] }), ingressYaml({ host: 'h.example.com', paths: [...ordered].reverse() }));
    const names = (c: typeof forward): string[] => (routeConfigurationOf(c, 'portico').virtual_hosts?.[0]?.routes ?? []).map((r) => r.route?.cluster ?? '');
    expect(names(forward)).toEqual(names(backward));
    expect(simulateRequest(routeConfigurationOf(forward, 'portico'), 'h.example.com', '/aaa')).toMatchObject({ cluster: 'default/c/80' });
    expect(simulateRequest(routeConfigurationOf(forward, 'portico'), 'h.example.com', '/aaa/')).toMatchObject({ cluster: 'default/b/80' });
    expect(simulateRequest(routeConfigurationOf(forward, 'portico'), 'h.example.com', '/aaa/bbb/c')).toMatchObject({ cluster: 'default/d/80' });
  });

  it('keeps the query string out of Exact and element-wise Prefix matching', () => {
    const config = translateYaml(
      fixtures({ services: ['a', 'b'] }),
      ingressYaml({ host: 'h.example.com', paths: [{ path: '/foo', pathType: 'Exact', service: 'a' }, { path: '/bar', pathType: 'Prefix', service: 'b' }] }),
    );
    const routes = routeConfigurationOf(config, 'portico');
    expect(simulateRequest(routes, 'h.example.com', '/foo?x=1')).toMatchObject({ cluster: 'default/a/80', path: '/foo?x=1' });
    expect(simulateRequest(routes, 'h.example.com', '/bar?x=1')).toMatchObject({ cluster: 'default/b/80' });
    expect(simulateRequest(routes, 'h.example.com', '/barx?x=1').status).toBe('not-found');
  });
});
