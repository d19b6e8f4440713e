// Canary Ingresses, request by request through the generated RouteConfiguration
// (testdata/golden/canary and small cases here), and the gRPC view of the routes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { grpcRouteProblem } from '../envoy/grpc-view/index.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fixtures, ingressYaml, routeConfigurationOf, translateYaml } from '../test-support/translate-yaml.js';

const CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'canary');
const STABLE = 'shop/stable/80';
const CANARY = 'shop/canary/80';

describe('canary Ingresses (testdata/golden/canary)', () => {
  const config = buildEnvoyConfig(loadManifests([CASE]).state);
  const table = routeConfigurationOf(config, 'portico');
  const to = (host: string, headers: Record<string, string> = {}, draw?: number, path = '/') => simulateRequest(table, host, path, headers, draw).cluster;

  it('canary-by-header: "always" → canary, "never" → primary, anything else → the weight (0: primary)', () => {
    expect(to('header.example.com', { 'x-canary': 'always' })).toBe(CANARY);
    expect(to('header.example.com', { 'x-canary': 'never' })).toBe(STABLE);
    expect(to('header.example.com', { 'x-canary': 'maybe' })).toBe(STABLE);
    expect(to('header.example.com')).toBe(STABLE);
  });

  it('canary-by-header-value: that value → canary; "always" is no longer special and falls to the weight', () => {
    expect(to('value.example.com', { 'x-version': 'v2' })).toBe(CANARY);
    expect(to('value.example.com', { 'x-version': 'always' }, 50)).toBe(STABLE);
    expect(to('value.example.com', { 'x-version': 'v3' }, 95)).toBe(CANARY);
  });

  it('canary-by-header-pattern: a match → canary, else the weight', () => {
    expect(to('pattern.example.com', { 'x-user': 'alice' })).toBe(CANARY);
    expect(to('pattern.example.com', { 'x-user': 'bob' })).toBe(CANARY);
    expect(to('pattern.example.com', { 'x-user': 'carol' })).toBe(STABLE);
    expect(to('pattern.example.com', { 'x-user': 'always' })).toBe(STABLE);
  });

  it('canary-by-cookie among other cookies: "always" → canary, "never" → primary even in the canary\'s weight share', () => {
    expect(to('cookie.example.com', { cookie: 'session=abc; use_canary=always; theme=dark' })).toBe(CANARY);
    expect(to('cookie.example.com', { cookie: 'use_canary=never; theme=always' }, 99)).toBe(STABLE);
    expect(to('cookie.example.com', { cookie: 'use_canary=sometimes' }, 99)).toBe(CANARY);
    expect(to('cookie.example.com', { cookie: 'not_use_canary=always' }, 0)).toBe(STABLE);
  });

  it('weights: canary-weight out of 100, or of canary-weight-total', () => {
    const share = (host: string, total: number) => Array.from({ length: total }, (_, draw) => to(host, {}, draw)).filter((c) => c === CANARY).length;
    expect(share('weight.example.com', 100)).toBe(30);
    expect(share('total.example.com', 1000)).toBe(250);
    expect(share('cookie.example.com', 100)).toBe(20);
  });

  it('every share keeps the primary route\'s policy: its rewrite and its read timeout', () => {
    for (const headers of [{ 'x-canary': 'always' }, { 'x-canary': 'never' }, {}] as Record<string, string>[]) {
      for (const draw of [0, 99]) expect(simulateRequest(table, 'rewrite.example.com', '/app/v1/items?q=1', headers, draw)).toMatchObject({ status: 'routed', path: '/v1/items?q=1' });
    }
    expect(to('rewrite.example.com', { 'x-canary': 'always' }, undefined, '/app/x')).toBe(CANARY);
    const cookieRoutes = (table.virtual_hosts ?? []).find((v) => v.name === 'cookie.example.com')?.routes ?? [];
    expect(cookieRoutes.map((r) => r.route?.idle_timeout)).toEqual([{ seconds: '120' }, { seconds: '120' }, { seconds: '120' }].map(() => expect.anything()));
    expect(new Set(cookieRoutes.map((r) => JSON.stringify(r.route?.idle_timeout))).size).toBe(1);
  });

  it('only one canary per path, the oldest; a canary without a primary gets nothing and serves no host', () => {
    expect(to('twice.example.com', {}, 95)).toBe(CANARY);
    expect(to('twice.example.com', {}, 5)).toBe(STABLE);
    expect(simulateRequest(table, 'orphan.example.com', '/').status).toBe('not-found');
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress shop/twice-canary-new', severity: 'error', message: expect.stringMatching(/already has a canary, Ingress shop\/twice-canary-old/) }));
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress shop/orphan-canary', severity: 'error', message: expect.stringMatching(/host orphan\.example\.com Prefix \//) }));
  });

  it('never a bypass: a closed canary gets no share, a closed primary keeps answering 503 for every request', () => {
    for (const draw of [0, 49, 50, 99]) expect(to('closed.example.com', {}, draw)).toBe(STABLE);
    for (const headers of [{}, { 'x-canary': 'always' }, { cookie: 'canary=always' }] as Record<string, string>[]) {
      expect(simulateRequest(table, 'guarded.example.com', '/', headers)).toMatchObject({ status: 'direct', code: 503 });
    }
    expect((config.fleets[0]?.resources.clusters ?? []).map((c) => c.name)).toEqual([CANARY, STABLE]);
  });

  it('gRPC clients can take every canary route (header matchers, weighted clusters)', () => {
    const routes = (table.virtual_hosts ?? []).flatMap((v) => v.routes ?? []).filter((r) => (r.name ?? '').includes('canary') || r.route?.weighted_clusters);
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) expect(grpcRouteProblem(route), route.name ?? '').toBeUndefined();
  });
});

describe('canary pairing and guards', () => {
  const base = fixtures({ services: ['stable', 'canary'] });
  const primary = (annotations: Record<string, string> = {}, path = '/api', pathType = 'ImplementationSpecific') =>
    ingressYaml({ name: 'main', host: 'a.example.com', created: '2024-01-01T00:00:00Z', annotations, paths: [{ path, pathType, service: 'stable' }] });
  const canary = (annotations: Record<string, string>, path = '/api', pathType = 'ImplementationSpecific') =>
    ingressYaml({ name: 'beta', host: 'a.example.com', created: '2024-02-01T00:00:00Z', annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '100', ...annotations }, paths: [{ path, pathType, service: 'canary' }] });

  it('pairs by path as written, whatever either Ingress\'s use-regex', () => {
    const config = translateYaml(base, primary({ 'nginx.ingress.kubernetes.io/use-regex': 'true' }, '/api/v[0-9]+'), canary({}, '/api/v[0-9]+'));
    expect(simulateRequest(routeConfigurationOf(config, 'portico'), 'a.example.com', '/api/v2', {}, 0).cluster).toBe('default/canary/80');
  });

  it('is not a conflict: the canary claims nothing and the primary keeps the path', () => {
    const config = translateYaml(base, primary(), canary({}));
    expect(config.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(simulateRequest(routeConfigurationOf(config, 'portico'), 'a.example.com', '/api', {}, 7).cluster).toBe('default/canary/80');
  });

  it('a different path type is a different route: no primary', () => {
    const config = translateYaml(base, primary({}, '/api', 'Prefix'), canary({}, '/api', 'Exact'));
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress default/beta', severity: 'error', message: expect.stringMatching(/no Ingress of this class routes host a\.example\.com Exact \/api/) }));
  });

  it('the canary\'s cluster takes the primary\'s backend-protocol and the canary\'s load-balance', () => {
    const config = translateYaml(base, primary({ 'nginx.ingress.kubernetes.io/backend-protocol': 'GRPC' }), canary({ 'nginx.ingress.kubernetes.io/load-balance': 'ewma', 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' }));
    const clusters = routeConfigurationOf(config, 'portico').virtual_hosts?.[0]?.routes?.[0]?.route?.weighted_clusters?.clusters?.map((c) => c.name);
    expect(clusters).toEqual(['default/stable/80/h2', 'default/canary/80/h2,least-request']);
  });

  it('a canary guarded differently from its primary is not attached (honoured access control must match)', () => {
    const config = translateYaml(base, primary(), canary({ 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8' }));
    expect(simulateRequest(routeConfigurationOf(config, 'portico'), 'a.example.com', '/api').cluster).toBe('default/stable/80');
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress default/beta', severity: 'error' }));
  });
});
