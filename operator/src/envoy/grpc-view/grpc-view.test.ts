import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fleetOrigins, fleetResources, ROUTE_CONFIG } from '../../../../xds-server/src/test-support/fleet-fixtures.js';
import { withGrpcView } from '../../../../xds-server/src/grpc/grpc-view.js';
import { packAny } from '../../../../xds-server/src/protos/any.js';
import { encodeMessage, RESOURCE_TYPES, typeUrlOf } from '../../../../xds-server/src/protos/envoy-protos.js';
import { BUFFER_PER_ROUTE_TYPE, CORS_POLICY_TYPE, RBAC_PER_ROUTE_TYPE } from '../../../../xds-server/src/protos/type-urls.js';
import type { FleetResources, ResourceOrigins, RouteConfiguration } from '../../../../xds-server/src/resources.js';
import type { IrFleet } from '../../ir/types.js';
import { accessControlIn, ANY_HOST_LISTENER, ANY_HOST_ROUTE_CONFIGURATION, apiListener, grpcRouteProblem, grpcViewOf, hostRouteConfigurationName, routeTablesByPreference } from './index.js';

/** The fixtures' fleet as SotW clients are served it: the gRPC view added by the server, as publishFleet does. */
function withGrpcApiListeners(input: FleetResources, origins: ResourceOrigins, tables: readonly string[] = [ROUTE_CONFIG]) {
  const grpc = grpcViewOf(tables, input, origins);
  return { ...withGrpcView({ resources: input, origins }, grpc), skipped: grpc.skipped, leftOut: grpc.leftOut };
}

const require = createRequire(import.meta.url);
// grpc-js-xds's own RDS validation: what a proxyless client runs on every RouteConfiguration.
require('@grpc/grpc-js-xds');
const { RouteConfigurationResourceType } = require('@grpc/grpc-js-xds/build/src/xds-resource-type/route-config-resource-type.js') as {
  RouteConfigurationResourceType: { get(): { decode(context: unknown, resource: { type_url: string; value: Buffer }): { error?: string } } };
};
function grpcRejection(table: RouteConfiguration | undefined): string | undefined {
  const value = Buffer.from(encodeMessage(RESOURCE_TYPES.routeConfiguration, table ?? {}));
  return RouteConfigurationResourceType.get().decode({ bootstrap: { certificateProviders: {} }, server: {} }, { type_url: typeUrlOf('routeConfiguration'), value }).error;
}

const SPEC = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c2', '*.wild.example.com': 'c2', '*': 'c1' }, endpoints: { c1: [1], c2: [2] } };

/** The fleet of `spec`, its route table's virtual hosts changed by `edit`. */
function withVirtualHosts(spec: Parameters<typeof fleetResources>[0], edit: (virtualHost: NonNullable<RouteConfiguration['virtual_hosts']>[number]) => NonNullable<RouteConfiguration['virtual_hosts']>[number]): FleetResources {
  const input = fleetResources(spec);
  const table = input.routeConfigurations[0] as RouteConfiguration;
  table.virtual_hosts = (table.virtual_hosts ?? []).map(edit);
  return input;
}

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

  it('adds nothing to a fleet whose listeners use no route table', () => {
    const input = fleetResources(SPEC);
    expect(grpcViewOf([], input, {})).toEqual({ resources: { listeners: [], routeConfigurations: [] }, origins: {}, skipped: [], leftOut: [] });
    expect(withGrpcApiListeners(input, {}, []).resources).toBe(input);
  });

  it('prefers the HTTPS table, whose routes have no redirects to HTTPS', () => {
    const listener = (name: string) => ({ name, address: '0.0.0.0', port: 0 });
    const fleet = { httpListener: listener('http'), https: { listener: listener('https'), minimumVersion: '1.2', chains: [{ certificate: 'a/b', serverNames: ['a.example.com'] }] } } as unknown as IrFleet;
    expect(routeTablesByPreference(fleet)).toEqual(['https', 'http']);
    expect(routeTablesByPreference({ ...fleet, https: undefined } as IrFleet)).toEqual(['http']);
  });

  describe('routes gRPC cannot use', () => {
    // a.example.com: an app-root redirect, then its backend; b.example.com: a 503 only; the
    // catch-all: an ssl-redirect twin (plain-HTTP table) before its backend.
    function withUnusableRoutes(): ReturnType<typeof fleetResources> {
      const input = withVirtualHosts(SPEC, (vh) => {
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

    describe('per-filter configs', () => {
      // No wildcard host: the fixtures' `*.wild.example.com:*` domain is one grpc-js-xds refuses.
      const PLAIN = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c2', '*': 'c1' }, endpoints: { c1: [1], c2: [2] } };
      const CORS = packAny(CORS_POLICY_TYPE, { allow_origin_string_match: [{ exact: '*' }], allow_methods: 'GET', max_age: '60' });
      const SOURCE_RANGES = packAny(RBAC_PER_ROUTE_TYPE, {
        rbac: { rules: { action: 'ALLOW', policies: { 'source-ranges': { permissions: [{ any: true }], principals: [{ remote_ip: { address_prefix: '10.0.0.0', prefix_len: { value: 8 } } }] } } } },
      });
      // a.example.com: a route guarded by source ranges (and CORS), then an open one (another path)
      // with CORS and a body limit; b.example.com: CORS on its virtual host; the catch-all: CORS on a weighted route.
      function withFilterConfigs(): ReturnType<typeof fleetResources> {
        const input = withVirtualHosts(PLAIN, (vh) => {
          if (vh.name === 'a.example.com') {
            return {
              ...vh,
              routes: [
                { name: 'default/admin/rule-0/path-0', match: { prefix: '/admin' }, route: { cluster: 'c1' }, typed_per_filter_config: { 'envoy.filters.http.rbac': SOURCE_RANGES, 'envoy.filters.http.cors': CORS } },
                { name: 'default/c1/rule-0/path-0', match: { prefix: '/shop' }, route: { cluster: 'c1' }, typed_per_filter_config: { 'envoy.filters.http.cors': CORS, 'envoy.filters.http.buffer': packAny(BUFFER_PER_ROUTE_TYPE, { disabled: true }) } },
              ],
            };
          }
          if (vh.name === 'b.example.com') return { ...vh, typed_per_filter_config: { 'envoy.filters.http.cors': CORS } };
          if (vh.name === 'any-host') {
            return { ...vh, routes: [{ name: 'default/c1/weighted', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'c1', weight: { value: 1 }, typed_per_filter_config: { 'envoy.filters.http.cors': CORS } }] } } }] };
          }
          return vh;
        });
        return input;
      }

      it('grpc-js-xds rejects the Envoy table for them (so this view matters)', () => {
        expect(grpcRejection(withFilterConfigs().routeConfigurations[0])).toMatch(/typed_per_filter_config\[envoy.filters.http.cors\] validation failed/);
      });

      it('leaves out routes guarded by access control, strips the rest, and grpc-js-xds accepts every table', () => {
        const input = withFilterConfigs();
        const envoyTable = structuredClone(input.routeConfigurations[0]);
        const { resources, leftOut } = withGrpcApiListeners(input, fleetOrigins(PLAIN));
        const byName = new Map(resources.routeConfigurations.map((rc) => [rc.name, rc]));
        expect([...byName.keys()]).toEqual(['grpc:*', 'grpc:a.example.com', 'grpc:b.example.com', ROUTE_CONFIG]);
        expect(byName.get(ROUTE_CONFIG)).toEqual(envoyTable);
        expect(byName.get('grpc:a.example.com')?.virtual_hosts?.[0]?.routes).toEqual([{ name: 'default/c1/rule-0/path-0', match: { prefix: '/shop' }, route: { cluster: 'c1' } }]);
        expect(byName.get('grpc:b.example.com')?.virtual_hosts?.[0]).toEqual({ name: 'b.example.com', domains: ['b.example.com', 'b.example.com:*'], routes: [{ match: { prefix: '/' }, route: { cluster: 'c2' } }] });
        expect(byName.get(ANY_HOST_ROUTE_CONFIGURATION)?.virtual_hosts?.find((vh) => vh.name === 'any-host')?.routes).toEqual([{ name: 'default/c1/weighted', match: { prefix: '/' }, route: { weighted_clusters: { clusters: [{ name: 'c1', weight: { value: 1 } }] } } }]);
        expect(JSON.stringify([...byName.entries()].filter(([name]) => name !== ROUTE_CONFIG))).not.toContain('typed_per_filter_config');
        for (const name of ['grpc:*', 'grpc:a.example.com', 'grpc:b.example.com']) expect(grpcRejection(byName.get(name)), name).toBeUndefined();
        expect(leftOut).toEqual([
          {
            routeConfiguration: ROUTE_CONFIG,
            virtualHost: 'a.example.com',
            route: 'default/admin/rule-0/path-0',
            reason: 'access control gRPC clients cannot enforce: an RBAC filter (source ranges), envoy.filters.http.rbac; left out rather than served unguarded',
            origins: ['Ingress default/c1'],
          },
        ]);
      });

      it('never lets a call meant for a left-out guarded or closed route fall through to a later route', () => {
        // Two Ingresses of one Service: /admin guarded by a source range, / open. Envoy sends
        // /admin/x to the guarded route; a gRPC table without it would send the call to / instead.
        const input = withVirtualHosts(PLAIN, (vh) => {
          if (vh.name === 'a.example.com') {
            return {
              ...vh,
              routes: [
                { name: 'default/admin/rule-0/path-0', match: { path: '/pkg.Admin' }, route: { cluster: 'c1' }, typed_per_filter_config: { 'envoy.filters.http.rbac': SOURCE_RANGES } },
                { name: 'default/admin/rule-0/path-0', match: { prefix: '/pkg.Admin/' }, route: { cluster: 'c1' }, typed_per_filter_config: { 'envoy.filters.http.rbac': SOURCE_RANGES } },
                { name: 'default/other/rule-0/path-0', match: { prefix: '/pkg.Other/' }, route: { cluster: 'c1' } },
                { name: 'default/open/rule-0/path-0', match: { prefix: '/' }, route: { cluster: 'c1' } },
              ],
            };
          }
          if (vh.name === 'b.example.com') {
            return { ...vh, routes: [{ name: 'default/closed/rule-0/path-0', match: { prefix: '/pkg.Closed/' }, direct_response: { status: 503 } }, { name: 'default/open/rule-0/path-0', match: { prefix: '/pkg' }, route: { cluster: 'c2' } }, { name: 'default/exact', match: { path: '/pkg.Open/Get' }, route: { cluster: 'c2' } }] };
          }
          return vh;
        });
        const { resources, leftOut } = withGrpcApiListeners(input, fleetOrigins(PLAIN));
        const routesOf = (name: string) => resources.routeConfigurations.find((rc) => rc.name === name)?.virtual_hosts?.find((vh) => vh.name !== 'any-host' || name === 'grpc:*')?.routes ?? [];
        expect(routesOf('grpc:a.example.com').map((r) => r.name)).toEqual(['default/other/rule-0/path-0']);
        expect(routesOf('grpc:b.example.com').map((r) => r.name)).toEqual(['default/exact']);
        expect(leftOut.filter((l) => l.route === 'default/open/rule-0/path-0').map((l) => [l.virtualHost, l.reason])).toEqual([
          ['a.example.com', 'it would take gRPC calls meant for default/admin/rule-0/path-0, which is left out (access control gRPC clients cannot enforce); left out too'],
          ['b.example.com', 'it would take gRPC calls meant for default/closed/rule-0/path-0, which is left out (closed); left out too'],
        ]);
      });

      it('leaves out every route of a virtual host whose own config guards access', () => {
        const input = withVirtualHosts(PLAIN, (vh) => (vh.name === 'b.example.com' ? { ...vh, typed_per_filter_config: { 'envoy.filters.http.rbac': SOURCE_RANGES } } : vh));
        const { resources, leftOut } = withGrpcApiListeners(input, fleetOrigins(PLAIN));
        expect(resources.routeConfigurations.find((rc) => rc.name === 'grpc:b.example.com')?.virtual_hosts?.[0]?.routes).toEqual([]);
        expect(leftOut.map((l) => l.virtualHost)).toEqual(['b.example.com']);
      });

      it('tells guards from configs that only turn a filter off', () => {
        const rbac = 'envoy.filters.http.rbac';
        const wrapped = (config: object, extra: object = {}) => ({ '@type': 'type.googleapis.com/envoy.config.route.v3.FilterConfig', config, ...extra });
        const type = (name: string) => `type.googleapis.com/envoy.extensions.filters.http.${name}`;
        expect(accessControlIn({ [rbac]: SOURCE_RANGES })).toMatch(/RBAC/);
        expect(accessControlIn({ [rbac]: wrapped(SOURCE_RANGES, { is_optional: true }) })).toMatch(/RBAC/);
        expect(accessControlIn({ [rbac]: { type_url: RBAC_PER_ROUTE_TYPE, value: Buffer.alloc(0) } })).toMatch(/RBAC/);
        expect(accessControlIn({ x: { type_url: 'type.googleapis.com/envoy.config.route.v3.FilterConfig', value: Buffer.alloc(0) } })).toMatch(/cannot read/);
        expect(accessControlIn({ a: { '@type': type('ext_authz.v3.ExtAuthzPerRoute'), check_settings: {} } })).toMatch(/ext_authz/);
        expect(accessControlIn({ a: { '@type': type('basic_auth.v3.BasicAuthPerRoute'), users: { inline_string: 'u:{SHA}x' } } })).toMatch(/basic/);
        expect(accessControlIn({ a: { '@type': type('local_ratelimit.v3.LocalRateLimit'), stat_prefix: 'x' } })).toMatch(/rate limit/);
        expect(accessControlIn({ a: { '@type': 'type.googleapis.com/xds.type.v3.TypedStruct', type_url: type('local_ratelimit.v3.LocalRateLimit'), value: {} } })).toMatch(/rate limit/);
        expect(accessControlIn({ a: { '@type': 'type.googleapis.com/xds.type.v3.TypedStruct', type_url: CORS_POLICY_TYPE, value: {} } })).toBeUndefined();
        expect(accessControlIn({ [rbac]: wrapped(SOURCE_RANGES, { disabled: true }) })).toBeUndefined();
        expect(accessControlIn({ [rbac]: { '@type': RBAC_PER_ROUTE_TYPE } })).toBeUndefined();
        expect(accessControlIn({ a: { '@type': type('ext_authz.v3.ExtAuthzPerRoute'), disabled: true } })).toBeUndefined();
        expect(accessControlIn({ 'envoy.filters.http.cors': CORS })).toBeUndefined();
        expect(accessControlIn(undefined)).toBeUndefined();
      });
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
