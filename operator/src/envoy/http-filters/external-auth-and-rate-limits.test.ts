// auth-url and limit-rps/rpm, request by request on the golden case external-auth-and-rate-limits:
// the route simulator picks the route Envoy would; the filters its typed_per_filter_config turns on
// are looked up in the listener's chain (where they are off by default), and their configs say
// what the auth service is asked and how a client is counted. The rate-limit config, which travels
// as a TypedStruct for Envoy ≥ 1.34 fields, is checked against the loaded protos here.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../../../xds-server/src/generated/envoy/config/route/v3/Route.js';
import type { ExtAuthz } from '../../../../xds-server/src/generated/envoy/extensions/filters/http/ext_authz/v3/ExtAuthz.js';
import type { HttpConnectionManager } from '../../../../xds-server/src/generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import type { Struct } from '../../../../xds-server/src/generated/google/protobuf/Struct.js';
import { decodeMessage, encodeMessage } from '../../../../xds-server/src/protos/envoy-protos.js';
import { fromProto3Json } from '../../../../xds-server/src/protos/proto-json.js';
import { EXT_AUTHZ_PER_ROUTE_TYPE, EXT_AUTHZ_TYPE, HEADER_MUTATION_PER_ROUTE_TYPE, LOCAL_RATE_LIMIT_TYPE, TYPED_STRUCT_TYPE } from '../../../../xds-server/src/protos/type-urls.js';
import { validateMessage } from '../../../../xds-server/src/protos/validate.js';
import type { RouteConfiguration } from '../../../../xds-server/src/resources.js';
import type { IrRateLimit } from '../../ir/types.js';
import { buildEnvoyConfig } from '../../pipeline.js';
import { loadManifests } from '../../sources/manifests/load-manifests.js';
import { simulateRequest } from '../../test-support/route-simulator.js';
import { fleetOf } from '../../test-support/translate-yaml.js';
import { AUTH_RESPONSE_HEADERS_FILTER, EXT_AUTHZ_FILTER_PREFIX } from './ext-authz.js';
import { CLIENTS_REMEMBERED, localRateLimitJson } from './local-rate-limit.js';
import type { JsonObject } from './struct.js';
import { fromStruct } from './struct.js';

const CASE = join(import.meta.dirname, '..', '..', '..', '..', 'testdata', 'golden', 'external-auth-and-rate-limits');
const fleet = fleetOf(buildEnvoyConfig(loadManifests([CASE]).state), 'portico');
const table = fleet.resources.routeConfigurations[0] as RouteConfiguration;
const hcm = fleet.resources.listeners[0]?.filter_chains?.[0]?.filters?.[0]?.typed_config as unknown as HttpConnectionManager;
const chain = hcm.http_filters ?? [];

/** The Envoy route a request meets (one route per cluster on these hosts). */
function routeFor(host: string, path: string): { route: Route | undefined; upstreamPath?: string; status: string; code?: number } {
  const routed = simulateRequest(table, host, path);
  if (routed.status !== 'routed') return { route: undefined, status: routed.status, ...(routed.code !== undefined ? { code: routed.code } : {}) };
  const routes = (table.virtual_hosts?.find((v) => v.name === routed.virtualHost)?.routes ?? []).filter((r) => r.route?.cluster === routed.cluster);
  const route = routes.find((r) => simulateRequest({ ...table, virtual_hosts: [{ name: 'x', domains: ['*'], routes: [r] }] }, host, path).status === 'routed');
  return { route, status: 'routed', ...(routed.path !== undefined ? { upstreamPath: routed.path } : {}) };
}

/** What the auth service is asked for a request that meets `route`, or undefined when none is. */
function authRequest(route: Route | undefined, path: string): { cluster: string; path: string; config: ExtAuthz } | undefined {
  const names = Object.keys(route?.typed_per_filter_config ?? {}).filter((name) => name.startsWith(EXT_AUTHZ_FILTER_PREFIX));
  if (names.length === 0) return undefined;
  expect(names).toHaveLength(1);
  const name = names[0] as string;
  expect(route?.typed_per_filter_config?.[name]).toEqual({ '@type': EXT_AUTHZ_PER_ROUTE_TYPE, check_settings: {} });
  const filter = chain.find((f) => f.name === name);
  expect(filter?.disabled, `${name} is off unless a route turns it on`).toBe(true);
  const config = filter?.typed_config as unknown as ExtAuthz & { '@type': string };
  expect(config['@type']).toBe(EXT_AUTHZ_TYPE);
  const service = config.http_service;
  return { cluster: service?.server_uri?.cluster ?? '', path: `${service?.path_prefix ?? ''}${path}`, config };
}

describe('auth-url, request by request', () => {
  it('dashboard: asks oauth2-proxy for /oauth2/auth + the original path, then rewrites for the backend', () => {
    const { route, upstreamPath } = routeFor('dashboard.example', '/ui/settings');
    expect(upstreamPath).toBe('/settings');
    const asked = authRequest(route, '/ui/settings');
    expect(asked).toMatchObject({ cluster: 'auth/oauth2-proxy/4180/http1', path: '/oauth2/auth/ui/settings' });
    // Never open, never a body.
    expect(asked?.config.failure_mode_allow ?? false).toBe(false);
    expect(asked?.config.with_request_body).toBeUndefined();
    expect(asked?.config.status_on_error).toEqual({ code: 'InternalServerError' });
    expect(asked?.config.http_service?.authorization_response?.allowed_upstream_headers?.patterns?.map((p) => p.exact)).toEqual(['x-auth-request-email', 'x-auth-request-user']);
    // The client's own X-Auth-Request-User is removed first, by a filter in front of ext_authz.
    expect(route?.typed_per_filter_config?.[AUTH_RESPONSE_HEADERS_FILTER]).toEqual({ '@type': HEADER_MUTATION_PER_ROUTE_TYPE, mutations: { request_mutations: [{ remove: 'x-auth-request-email' }, { remove: 'x-auth-request-user' }] } });
    const names = chain.map((f) => f.name ?? '');
    expect(names.indexOf(AUTH_RESPONSE_HEADERS_FILTER)).toBeLessThan(names.findIndex((n) => n.startsWith(EXT_AUTHZ_FILTER_PREFIX)));
  });

  it('reports: https auth service (a TLS variant of its cluster) under /verify, with the configured redirect', () => {
    const asked = authRequest(routeFor('reports.example', '/q?x=1').route, '/q?x=1');
    expect(asked).toMatchObject({ cluster: 'auth/oauth2-proxy/443/tls', path: '/verify/q?x=1' });
    expect(asked?.config.http_service?.authorization_request?.headers_to_add).toContainEqual({ key: 'x-auth-request-redirect', value: 'https://reports.example/home' });
    const cluster = fleet.resources.clusters.find((c) => c.name === 'auth/oauth2-proxy/443/tls');
    expect(cluster?.type).toBe('EDS');
    expect(cluster?.transport_socket?.name).toBe('envoy.transport_sockets.tls');
    // nginx speaks HTTP/1.1 to the auth service, whatever the port's appProtocol (h2c) says.
    expect(fleet.resources.clusters.find((c) => c.name === 'auth/oauth2-proxy/4180/http1')?.typed_extension_protocol_options).toBeUndefined();
  });

  it('admin: rate limited first, then asked', () => {
    const { route } = routeFor('admin.example', '/');
    expect(authRequest(route, '/')?.cluster).toBe('auth/oauth2-proxy/4180/http1');
    expect(Object.keys(route?.typed_per_filter_config ?? {})).toContain('envoy.filters.http.local_ratelimit');
    const names = chain.map((f) => f.name ?? '');
    expect(names.indexOf('envoy.filters.http.local_ratelimit')).toBeLessThan(names.findIndex((n) => n.startsWith(EXT_AUTHZ_FILTER_PREFIX)));
  });

  it.each(['variable.example', 'external.example', 'signin.example', 'bad-rate.example'])('%s: closed, 503 from Envoy, the backend never reached', (host) => {
    expect(routeFor(host, '/anything')).toMatchObject({ status: 'direct', code: 503 });
  });

  it('an open host turns no auth or limit on', () => {
    for (const host of ['api.example']) expect(authRequest(routeFor(host, '/v1/x').route, '/v1/x')).toBeUndefined();
  });
});

/** The TypedStruct's LocalRateLimit as JSON, from the served bytes. */
function rateLimitOf(route: Route | undefined): JsonObject {
  const entry = route?.typed_per_filter_config?.['envoy.filters.http.local_ratelimit'] as unknown as { '@type': string; type_url: string; value: Struct };
  expect(entry['@type']).toBe(TYPED_STRUCT_TYPE);
  expect(entry.type_url).toBe(LOCAL_RATE_LIMIT_TYPE);
  // Through the wire format and back, as Envoy receives it.
  const decoded = decodeMessage('envoy.config.route.v3.Route', encodeMessage('envoy.config.route.v3.Route', route as object));
  const value = (decoded['typed_per_filter_config'] as Record<string, { value: Struct }>)['envoy.filters.http.local_ratelimit']?.value;
  expect(fromStruct(value ?? {})).toEqual(fromStruct(entry.value));
  return fromStruct(entry.value);
}

/**
 * Checks the JSON against the loaded (older) LocalRateLimit protos: the only parts those protos
 * cannot say are the wildcard value "" (Envoy ≥ 1.34 relaxed min_len 1 to 0) and the fields
 * `rate_limits` (1.32, checked as route RateLimits) and `max_dynamic_descriptors` (1.34).
 */
function violations(json: JsonObject): string[] {
  const { rate_limits: rateLimits, max_dynamic_descriptors: clients, descriptors, ...rest } = json;
  expect(clients).toBe(CLIENTS_REMEMBERED);
  const wildcards = (descriptors as JsonObject[]).map((d) => ({ ...d, entries: (d['entries'] as JsonObject[]).map((e) => (e['value'] === '' ? { ...e, value: 'wildcard' } : e)) }));
  const found = validateMessage('envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit', fromProto3Json('envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit', { ...rest, descriptors: wildcards }));
  for (const rateLimit of rateLimits as JsonObject[]) found.push(...validateMessage('envoy.config.route.v3.RateLimit', fromProto3Json('envoy.config.route.v3.RateLimit', rateLimit)));
  return found.map((v) => `${v.path}: ${v.message}`);
}

describe('limit-rps / limit-rpm', () => {
  it('api: both limits, per client address, each route of the Ingress with its own config', () => {
    const json = rateLimitOf(routeFor('api.example', '/v1/x').route);
    expect(violations(json)).toEqual([]);
    expect(json['status']).toEqual({ code: 'ServiceUnavailable' });
    expect(json['filter_enabled']).toMatchObject({ default_value: { numerator: 100, denominator: 'HUNDRED' } });
    expect(json['filter_enforced']).toMatchObject({ default_value: { numerator: 100, denominator: 'HUNDRED' } });
    expect(json['always_consume_default_token_bucket']).toBe(false);
    expect(json['descriptors']).toEqual([
      { entries: [{ key: 'generic_key', value: 'per-second' }, { key: 'remote_address', value: '' }], token_bucket: { max_tokens: 31, tokens_per_fill: 10, fill_interval: '1s' } },
      { entries: [{ key: 'generic_key', value: 'per-minute' }, { key: 'remote_address', value: '' }], token_bucket: { max_tokens: 901, tokens_per_fill: 300, fill_interval: '60s' } },
    ]);
    expect(rateLimitOf(routeFor('api.example', '/v1').route)).toEqual(json);
  });

  it('the checks above fail on what Envoy would refuse', () => {
    const json = localRateLimitJson({ limits: [{ requests: 1, unit: 'second', burst: 5 }] });
    expect(violations({ ...json, stat_prefix: '' })).not.toEqual([]);
    expect(violations({ ...json, token_bucket: { max_tokens: 0, fill_interval: '0s' } })).not.toEqual([]);
    expect(() => violations({ ...json, no_such_field: true })).toThrow();
  });

  it('a bucket lets a client send burst + 1 at once, then the rate (nginx burst=N nodelay)', () => {
    const limit: IrRateLimit = { limits: [{ requests: 2, unit: 'second', burst: 10 }] };
    const bucket = ((localRateLimitJson(limit)['descriptors'] as JsonObject[])[0] as JsonObject)['token_bucket'] as JsonObject;
    // Envoy's continuous bucket: capacity max_tokens, refilled at tokens_per_fill per fill_interval.
    let tokens = Number(bucket['max_tokens']);
    const perSecond = Number(bucket['tokens_per_fill']) / Number(String(bucket['fill_interval']).replace('s', ''));
    const accepted = (count: number): number => {
      let ok = 0;
      for (let i = 0; i < count; i++) {
        if (tokens < 1) continue;
        tokens -= 1;
        ok++;
      }
      return ok;
    };
    expect(accepted(20)).toBe(11);
    tokens = Math.min(Number(bucket['max_tokens']), tokens + perSecond * 1);
    expect(accepted(20)).toBe(2);
  });
});
