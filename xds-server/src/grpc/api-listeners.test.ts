import { describe, expect, it } from 'vitest';
import { fleetOrigins, fleetResources, ROUTE_CONFIG } from '../test-support/fleet-fixtures.js';
import type { RouteConfiguration } from '../resources.js';
import { ANY_HOST_LISTENER, ANY_HOST_ROUTE_CONFIGURATION, apiListener, grpcRouteProblem, hostRouteConfigurationName, withGrpcApiListeners } from './api-listeners.js';

const SPEC = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c2', '*.wild.example.com': 'c2', '*': 'c1' }, endpoints: { c1: [1], c2: [2] } };

describe('gRPC API listeners', () => {
  it('adds one per dialable host on a table of that host alone, and one for any host on the whole table', () => {
    const input = fleetResources(SPEC);
    const { resources, origins } = withGrpcApiListeners(input, fleetOrigins(SPEC));
    expect(resources.listeners.map((l) => l.name)).toEqual(['a.example.com', 'b.example.com', 'ingress_http', ANY_HOST_LISTENER]);
    expect(resources.listeners[0]).toEqual(apiListener('a.example.com', hostRouteConfigurationName('a.example.com')));
    expect(resources.listeners[3]).toEqual(apiListener(ANY_HOST_LISTENER, 'ingress_http'));
    expect(resources.routeConfigurations.map((rc) => rc.name)).toEqual(['grpc:a.example.com', 'grpc:b.example.com', 'ingress_http']);
    // The virtual host a client dialing b.example.com would pick from the whole table, and only it.
    const whole = input.routeConfigurations[0];
    expect(resources.routeConfigurations[1]).toEqual({ name: 'grpc:b.example.com', virtual_hosts: whole?.virtual_hosts?.filter((v) => v.name === 'b.example.com') });
    // Traced to the Ingress of that host only.
    expect(origins.listener?.['b.example.com']).toEqual(['Ingress default/c2']);
    expect(origins.routeConfiguration?.['grpc:b.example.com']).toEqual(['Ingress default/c2']);
    expect(origins.listener?.[ANY_HOST_LISTENER]).toEqual(['Ingress default/c1', 'Ingress default/c2']);
  });

  it('leaves a name already used by another listener alone', () => {
    const input = fleetResources(SPEC);
    input.listeners.push({ name: 'a.example.com' });
    const { resources, skipped } = withGrpcApiListeners(input, {});
    expect(skipped).toEqual(['a.example.com']);
    expect(resources.listeners.filter((l) => l.name === 'a.example.com')).toEqual([{ name: 'a.example.com' }]);
    expect(resources.routeConfigurations.map((rc) => rc.name)).not.toContain('grpc:a.example.com');
  });

  it('adds nothing to a fleet without HTTP listeners', () => {
    const input = { ...fleetResources(SPEC), listeners: [] };
    expect(withGrpcApiListeners(input, {}).resources).toBe(input);
  });

  describe('routes gRPC cannot use', () => {
    // a.example.com: an app-root redirect, then its backend; b.example.com: a 503 only; the
    // catch-all: an ssl-redirect twin (plain-HTTP table) before its backend.
    function withUnusableRoutes(): ReturnType<typeof fleetResources> {
      const input = fleetResources(SPEC);
      const table = input.routeConfigurations[0] as RouteConfiguration;
      table.virtual_hosts = (table.virtual_hosts ?? []).map((vh) => {
        const served = vh.routes ?? [];
        if (vh.name === 'a.example.com') return { ...vh, routes: [{ name: 'default/c1/app-root', match: { path: '/' }, redirect: { path_redirect: '/app', response_code: 'FOUND' } }, ...served] };
        if (vh.name === 'b.example.com') return { ...vh, routes: [{ name: 'default/c2/denied', match: { prefix: '/' }, direct_response: { status: 503 } }] };
        if (vh.name === 'any-host') {
          const redirect = { name: 'default/c1/https-redirect', match: { prefix: '/', headers: [{ name: 'x-forwarded-proto', string_match: { exact: 'https' }, invert_match: true }] }, redirect: { https_redirect: true } };
          return { ...vh, routes: [redirect, ...served] };
        }
        return vh;
      });
      return input;
    }

    it('leaves them out of every gRPC table, keeps the rest in order and the Envoy table as it was', () => {
      const input = withUnusableRoutes();
      const envoyTable = structuredClone(input.routeConfigurations[0]);
      const { resources, origins, leftOut } = withGrpcApiListeners(input, fleetOrigins(SPEC));
      const byName = new Map(resources.routeConfigurations.map((rc) => [rc.name, rc]));
      expect([...byName.keys()]).toEqual(['grpc:*', 'grpc:a.example.com', 'grpc:b.example.com', ROUTE_CONFIG]);
      expect(byName.get(ROUTE_CONFIG)).toEqual(envoyTable);
      expect(byName.get('grpc:a.example.com')?.virtual_hosts?.[0]?.routes).toEqual([{ match: { prefix: '/' }, route: { cluster: 'c1' } }]);
      // A virtual host left with no routes stays: gRPC fails its calls, not the table.
      expect(byName.get('grpc:b.example.com')?.virtual_hosts).toEqual([{ ...envoyTable?.virtual_hosts?.find((vh) => vh.name === 'b.example.com'), routes: [] }]);
      const anyHost = byName.get(ANY_HOST_ROUTE_CONFIGURATION);
      expect(anyHost?.virtual_hosts?.map((vh) => vh.name)).toEqual(envoyTable?.virtual_hosts?.map((vh) => vh.name));
      expect(anyHost?.virtual_hosts?.flatMap((vh) => vh.routes ?? []).every((route) => grpcRouteProblem(route) === undefined)).toBe(true);
      expect(anyHost?.virtual_hosts?.find((vh) => vh.name === 'any-host')?.routes).toEqual([{ match: { prefix: '/' }, route: { cluster: 'c1' } }]);
      expect(resources.listeners.find((l) => l.name === ANY_HOST_LISTENER)).toEqual(apiListener(ANY_HOST_LISTENER, ANY_HOST_ROUTE_CONFIGURATION));
      expect(origins.routeConfiguration?.[ANY_HOST_ROUTE_CONFIGURATION]).toEqual(['Ingress default/c1', 'Ingress default/c2']);
      // Each once, on the Ingress of its own virtual host.
      expect(leftOut).toEqual([
        { routeConfiguration: ROUTE_CONFIG, virtualHost: 'a.example.com', route: 'default/c1/app-root', reason: 'gRPC does not support redirects', origins: ['Ingress default/c1'] },
        { routeConfiguration: ROUTE_CONFIG, virtualHost: 'b.example.com', route: 'default/c2/denied', reason: 'gRPC does not support direct responses', origins: ['Ingress default/c2'] },
        { routeConfiguration: ROUTE_CONFIG, virtualHost: 'any-host', route: 'default/c1/https-redirect', reason: 'gRPC does not support redirects', origins: ['Ingress default/c1'] },
      ]);
    });

    it('keeps the any-host listener on the Envoy table while gRPC can take it whole', () => {
      const { resources, leftOut } = withGrpcApiListeners(fleetResources(SPEC), {});
      expect(leftOut).toEqual([]);
      expect(resources.routeConfigurations.map((rc) => rc.name)).not.toContain(ANY_HOST_ROUTE_CONFIGURATION);
    });

    it('knows what grpc-js-xds rejects or drops', () => {
      expect(grpcRouteProblem({ match: { prefix: '/' }, route: { cluster: 'c' } })).toBeUndefined();
      expect(grpcRouteProblem({ match: { safe_regex: { regex: '/a.*' } }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: 'a' }, substitution: 'b' } } })).toBeUndefined();
      expect(grpcRouteProblem({ match: { path: '/x', headers: [{ name: ':authority', string_match: { safe_regex: { regex: '[^.]+\\.example\\.com' } } }] }, route: { cluster: 'c' } })).toBeUndefined();
      expect(grpcRouteProblem({ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: { value: 1 } }] } } })).toBeUndefined();
      expect(grpcRouteProblem({ match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'a', weight: { value: 0 } }] } } })).toMatch(/weights/);
      expect(grpcRouteProblem({ match: { prefix: '/' }, non_forwarding_action: {} })).toMatch(/only route actions/);
      expect(grpcRouteProblem({ match: { path_separated_prefix: '/a' }, route: { cluster: 'c' } })).toMatch(/path matches/);
      expect(grpcRouteProblem({ match: { prefix: '/', headers: [{ name: 'x', contains_match: 'y' }] }, route: { cluster: 'c' } })).toMatch(/contains_match/);
      expect(grpcRouteProblem({ match: { prefix: '/' }, route: { cluster_header: 'x-cluster' } })).toMatch(/targets/);
    });
  });
});
