// CORS, request by request: the route simulator picks the route Envoy would, and the CorsPolicy on
// it is applied as Envoy's cors filter does (source/extensions/filters/http/cors/cors_filter.cc):
// no Origin → untouched; a matcher that matches "*" allows any origin; a preflight (OPTIONS with
// Origin and Access-Control-Request-Method) from an allowed origin is answered 200 by Envoy, one
// from another origin goes to the backend (forward_not_matching_preflights); an allowed origin is
// echoed on the response with credentials and exposed headers.
import { join } from 'node:path';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import type { CorsPolicy } from '../../../../xds-server/src/generated/envoy/extensions/filters/http/cors/v3/CorsPolicy.js';
import type { StringMatcher } from '../../../../xds-server/src/generated/envoy/type/matcher/v3/StringMatcher.js';
import { CORS_POLICY_TYPE, CORS_TYPE } from '../../../../xds-server/src/protos/type-urls.js';
import type { RouteConfiguration } from '../../../../xds-server/src/resources.js';
import type { IrFleet, IrRoute } from '../../ir/types.js';
import { buildEnvoyConfig } from '../../pipeline.js';
import { loadManifests } from '../../sources/manifests/load-manifests.js';
import { simulateRequest } from '../../test-support/route-simulator.js';
import { routeConfigurationOf } from '../../test-support/translate-yaml.js';
import { corsPolicy } from './cors.js';
import { httpFilters } from './index.js';

const CASE = join(import.meta.dirname, '..', '..', '..', '..', 'testdata', 'golden', 'cors-and-source-ranges');

function stringMatches(matcher: StringMatcher, value: string): boolean {
  if (matcher.exact !== undefined) return matcher.ignore_case ? matcher.exact.toLowerCase() === value.toLowerCase() : matcher.exact === value;
  if (matcher.safe_regex?.regex !== undefined) return RE2JS.compile(matcher.safe_regex.regex).matches(value);
  throw new Error(`matcher not modelled: ${JSON.stringify(matcher)}`);
}

interface CorsAnswer {
  /** Who answers: Envoy itself (a preflight) or the backend. */
  by: 'envoy' | 'backend';
  status?: number;
  /** CORS headers Envoy puts on the response. */
  headers: Record<string, string>;
  cluster?: string;
  path?: string;
}

function corsAnswer(policy: CorsPolicy | undefined, request: { method: string; origin?: string; requestMethod?: string }): Omit<CorsAnswer, 'cluster' | 'path'> {
  if (!policy || request.origin === undefined || request.origin === '') return { by: 'backend', headers: {} };
  const allowed = (policy.allow_origin_string_match ?? []).some((m) => stringMatches(m, '*') || stringMatches(m, request.origin ?? ''));
  const credentials = policy.allow_credentials?.value === true;
  if (request.method === 'OPTIONS' && request.requestMethod) {
    if (!allowed && policy.forward_not_matching_preflights?.value !== false) return { by: 'backend', headers: {} };
    const headers: Record<string, string> = {};
    if (allowed) headers['access-control-allow-origin'] = request.origin;
    if (credentials) headers['access-control-allow-credentials'] = 'true';
    if (policy.allow_methods) headers['access-control-allow-methods'] = policy.allow_methods;
    if (policy.allow_headers) headers['access-control-allow-headers'] = policy.allow_headers;
    if (policy.max_age) headers['access-control-max-age'] = policy.max_age;
    return { by: 'envoy', status: 200, headers };
  }
  if (!allowed) return { by: 'backend', headers: {} };
  const headers: Record<string, string> = { 'access-control-allow-origin': request.origin };
  if (credentials) headers['access-control-allow-credentials'] = 'true';
  if (policy.expose_headers) headers['access-control-expose-headers'] = policy.expose_headers;
  return { by: 'backend', headers };
}

function send(table: RouteConfiguration, host: string, path: string, request: { method: string; origin?: string; requestMethod?: string }): CorsAnswer {
  const routed = simulateRequest(table, host, path, { 'x-forwarded-proto': 'https' });
  expect(routed.status).toBe('routed');
  const route = table.virtual_hosts?.find((v) => v.name === routed.virtualHost)?.routes?.find((r) => r.route?.cluster === routed.cluster);
  const config = route?.typed_per_filter_config?.['envoy.filters.http.cors'] as (CorsPolicy & { '@type': string }) | undefined;
  if (config) expect(config['@type']).toBe(CORS_POLICY_TYPE);
  const answer = corsAnswer(config, request);
  return answer.by === 'envoy' ? answer : { ...answer, ...(routed.cluster ? { cluster: routed.cluster } : {}), ...(routed.path ? { path: routed.path } : {}) };
}

describe('CORS, request by request (golden cors-and-source-ranges)', () => {
  const table = routeConfigurationOf(buildEnvoyConfig(loadManifests([CASE]).state), 'nginx');
  const preflight = (origin: string) => ({ method: 'OPTIONS', origin, requestMethod: 'POST' });

  it('answers an allowed origin\'s preflight itself, with the Ingress\'s settings and credentials', () => {
    expect(send(table, 'api.example.com', '/v1/orders', preflight('https://app.example.com'))).toEqual({
      by: 'envoy',
      status: 200,
      headers: {
        'access-control-allow-origin': 'https://app.example.com',
        'access-control-allow-credentials': 'true',
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': 'Content-Type,Authorization,X-Request-Id',
        'access-control-max-age': '600',
      },
    });
  });

  it('allows one label of a wildcard subdomain, at the port written, and forwards preflights of other origins (as nginx)', () => {
    expect(send(table, 'api.example.com', '/v1/', preflight('https://shop.example.org:8443')).by).toBe('envoy');
    for (const origin of ['https://a.shop.example.org:8443', 'https://shop.example.org', 'https://example.org:8443', 'https://app.example.com.evil.net', 'null']) {
      expect(send(table, 'api.example.com', '/v1/x', preflight(origin)), origin).toEqual({ by: 'backend', headers: {}, cluster: 'apps/web/80', path: '/x' });
    }
  });

  it('adds the headers to an allowed origin\'s actual request, which still goes through rewrite-target', () => {
    expect(send(table, 'api.example.com', '/v1/orders?page=2', { method: 'GET', origin: 'https://app.example.com' })).toEqual({
      by: 'backend',
      cluster: 'apps/web/80',
      path: '/orders?page=2',
      headers: { 'access-control-allow-origin': 'https://app.example.com', 'access-control-allow-credentials': 'true', 'access-control-expose-headers': 'X-Total-Count' },
    });
    expect(send(table, 'api.example.com', '/v1/orders', { method: 'GET', origin: 'https://evil.example.net' }).headers).toEqual({});
    expect(send(table, 'api.example.com', '/v1/orders', { method: 'GET' }).headers).toEqual({});
  });

  it('any origin (`*`): every origin allowed, without credentials (Envoy echoes the Origin where nginx sends `*`)', () => {
    const answer = send(table, 'public.example.com', '/', preflight('https://anywhere.example.net'));
    expect(answer).toMatchObject({ by: 'envoy', status: 200 });
    expect(answer.headers['access-control-allow-origin']).toBe('https://anywhere.example.net');
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    // The bad methods and max age fell back to ingress-nginx's defaults.
    expect(answer.headers['access-control-allow-methods']).toBe('GET, PUT, POST, DELETE, PATCH, OPTIONS');
    expect(answer.headers['access-control-max-age']).toBe('1728000');
  });

  it('cors-* without enable-cors does nothing', () => {
    expect(send(table, 'plain.example.com', '/', preflight('https://app.example.com'))).toEqual({ by: 'backend', headers: {}, cluster: 'apps/web/80', path: '/' });
  });
});

describe('corsFilter', () => {
  const cors = { allowOrigins: ['https://a.example.com'], allowMethods: ['GET'], allowHeaders: ['X-A', 'X-B'], exposeHeaders: [], maxAgeSeconds: 5, allowCredentials: true };

  it('is on the listener, off by default, only when some route has CORS', () => {
    const route = (withCors: boolean): IrRoute => ({ match: { kind: 'prefix', path: '/' }, action: { kind: 'forward', cluster: 'c' }, origin: 'Ingress a/b', name: 'r', ...(withCors ? { policy: { cors } } : {}) });
    const fleet = (routes: IrRoute[]) => ({ virtualHosts: [{ host: 'a', routes }], http: { maxRequestBodyBytes: 0 } }) as unknown as IrFleet;
    expect(httpFilters(fleet([route(false)])).map((f) => f.name)).toEqual(['envoy.filters.http.router']);
    expect(httpFilters(fleet([route(false), route(true)]))[0]).toEqual({ name: 'envoy.filters.http.cors', typed_config: { '@type': CORS_TYPE }, disabled: true });
  });

  it('writes every setting; credentials only for listed origins; expose-headers only when set', () => {
    expect(corsPolicy(cors)).toEqual({
      allow_origin_string_match: [{ exact: 'https://a.example.com', ignore_case: true }],
      allow_methods: 'GET',
      allow_headers: 'X-A,X-B',
      max_age: '5',
      allow_credentials: { value: true },
      forward_not_matching_preflights: { value: true },
    });
    expect(corsPolicy({ ...cors, allowOrigins: ['*'] })).toMatchObject({ allow_origin_string_match: [{ exact: '*' }], allow_credentials: { value: false } });
    expect(corsPolicy({ ...cors, allowOrigins: [], allowOriginRegexes: ['(?i)https://[A-Za-z0-9-]+\\.example\\.com'], exposeHeaders: ['X-Total'] })).toMatchObject({
      allow_origin_string_match: [{ safe_regex: { regex: '(?i)https://[A-Za-z0-9-]+\\.example\\.com' } }],
      expose_headers: 'X-Total',
    });
  });
});
