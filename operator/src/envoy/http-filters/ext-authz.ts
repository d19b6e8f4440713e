// auth-url: Envoy's ext_authz filter asks the auth service over HTTP before forwarding, as nginx's
// auth_request. One filter per auth service (its cluster, path and headers), off on the listener
// and turned on by the routes that use it (ExtAuthzPerRoute). Envoy ≥ 1.36 could instead override
// the service per route with one filter; Portico's loaded Envoy API predates that field.
//
// The auth request: the URL's path followed by the request's path (Envoy appends it; it cannot
// call an exact URL), the client's method, Host and headers, no body (Content-Length: 0), plus the
// headers nginx adds (X-Original-URL, X-Original-Method, X-Sent-From, X-Real-IP, X-Forwarded-For,
// X-Auth-Request-Redirect). Only 200 lets the request through; any other answer goes back to the
// client with its status (and WWW-Authenticate); an unreachable or timed-out auth service gives
// 500, as ingress-nginx. Never open: failure_mode_allow is false.
//
// auth-response-headers: the auth service's values replace the request's. A header filter in front
// first removes the client's own values of those headers, so a client cannot pose as a user when
// the auth service says nothing (nginx's proxy_set_header with an empty value sends none).
import { createHash } from 'node:crypto';
import type { Any, ExtAuthz, ExtAuthzPerRoute, HeaderMutation, HeaderMutationPerRoute, HttpFilter } from '../../../../xds-server/src/index.js';
import { EXT_AUTHZ_PER_ROUTE_TYPE, EXT_AUTHZ_TYPE, HEADER_MUTATION_PER_ROUTE_TYPE, HEADER_MUTATION_TYPE } from '../../../../xds-server/src/index.js';
import type { IrExternalAuth } from '../../ir/types.js';
import { compareStrings } from '../../util/compare.js';
import { durationFromMs } from '../duration.js';
import type { HttpFilterGroup } from './http-filter.js';

/** Filters of this feature are named after it: the key of their typed_per_filter_config. */
export const EXT_AUTHZ_FILTER_PREFIX = 'envoy.filters.http.ext_authz/';
/** Removes the client's values of auth-response-headers before ext_authz adds the auth service's. */
export const AUTH_RESPONSE_HEADERS_FILTER = 'envoy.filters.http.header_mutation/auth-response-headers';
/** How long the auth service may take: nginx's default proxy_read_timeout on the auth location. */
const AUTH_TIMEOUT_MS = 60_000;

/** The filter that asks this auth service (its name depends only on what it sends where). */
export function extAuthzFilterName(auth: IrExternalAuth): string {
  const hash = createHash('sha256').update(JSON.stringify(serviceKey(auth))).digest('hex').slice(0, 10);
  return `${EXT_AUTHZ_FILTER_PREFIX}${auth.cluster}${auth.pathPrefix}/${hash}`;
}

function serviceKey(auth: IrExternalAuth): unknown[] {
  return [auth.cluster, auth.url, auth.pathPrefix, auth.responseHeaders, auth.requestRedirect ?? null];
}

export const externalAuthFilters: HttpFilterGroup = {
  routeConfigs(route) {
    const auth = route.policy?.externalAuth;
    if (auth === undefined) return undefined;
    const configs: Record<string, Any> = {};
    if (auth.responseHeaders.length > 0) {
      const strip: HeaderMutationPerRoute = { mutations: { request_mutations: auth.responseHeaders.map((name) => ({ remove: name })) } };
      configs[AUTH_RESPONSE_HEADERS_FILTER] = { '@type': HEADER_MUTATION_PER_ROUTE_TYPE, ...strip } as Any;
    }
    // An empty check_settings turns the filter on with its listener config.
    const perRoute: ExtAuthzPerRoute = { check_settings: {} };
    configs[extAuthzFilterName(auth)] = { '@type': EXT_AUTHZ_PER_ROUTE_TYPE, ...perRoute } as Any;
    return configs;
  },
  listenerFilters(_fleet, routes) {
    const services = new Map<string, IrExternalAuth>();
    for (const route of routes) {
      const auth = route.policy?.externalAuth;
      if (auth) services.set(extAuthzFilterName(auth), auth);
    }
    const filters: HttpFilter[] = [];
    if ([...services.values()].some((auth) => auth.responseHeaders.length > 0)) {
      const config: HeaderMutation = {};
      filters.push({ name: AUTH_RESPONSE_HEADERS_FILTER, typed_config: { '@type': HEADER_MUTATION_TYPE, ...config }, disabled: true });
    }
    for (const name of [...services.keys()].sort(compareStrings)) {
      const auth = services.get(name) as IrExternalAuth;
      filters.push({ name, typed_config: { '@type': EXT_AUTHZ_TYPE, ...extAuthz(auth) }, disabled: true });
    }
    return filters;
  },
};

/** The filter's config for one auth service. */
export function extAuthz(auth: IrExternalAuth): ExtAuthz {
  const authorizationResponse: NonNullable<NonNullable<ExtAuthz['http_service']>['authorization_response']> = {
    // On refusal the client gets the auth service's status and, of its headers, only the challenge (as nginx).
    allowed_client_headers: { patterns: [{ exact: 'www-authenticate', ignore_case: true }] },
    // On success its cookies reach the client, as nginx's `add_header Set-Cookie $auth_cookie`.
    allowed_client_headers_on_success: { patterns: [{ exact: 'set-cookie', ignore_case: true }] },
  };
  if (auth.responseHeaders.length > 0) authorizationResponse.allowed_upstream_headers = { patterns: auth.responseHeaders.map((name) => ({ exact: name, ignore_case: true })) };
  return {
    http_service: {
      // Envoy sends to the cluster; the uri is informational.
      server_uri: { uri: auth.url, cluster: auth.cluster, timeout: durationFromMs(AUTH_TIMEOUT_MS) },
      path_prefix: auth.pathPrefix,
      authorization_request: { headers_to_add: authRequestHeaders(auth) },
      authorization_response: authorizationResponse,
    },
    // nginx passes every request header to the auth service (the session cookie, say).
    allowed_headers: { patterns: [{ safe_regex: { regex: '.*' } }] },
    failure_mode_allow: false,
    status_on_error: { code: 'InternalServerError' },
  };
}

/** What ingress-nginx's auth location sets (Host is the client's: Envoy cannot change it). */
function authRequestHeaders(auth: IrExternalAuth): { key: string; value: string }[] {
  return [
    { key: 'x-original-url', value: '%REQ(X-FORWARDED-PROTO)%://%REQ(:AUTHORITY)%%REQ(:PATH)%' },
    { key: 'x-original-method', value: '%REQ(:METHOD)%' },
    { key: 'x-sent-from', value: 'nginx-ingress-controller' },
    { key: 'x-real-ip', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
    { key: 'x-forwarded-for', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
    { key: 'x-auth-request-redirect', value: auth.requestRedirect === undefined ? '%REQ(:PATH)%' : auth.requestRedirect.replace(/%/g, '%%') },
  ];
}

/** The auth filters a route turns on, for tests and the gRPC view. */
export function isExternalAuthFilter(name: string): boolean {
  return name.startsWith(EXT_AUTHZ_FILTER_PREFIX) || name === AUTH_RESPONSE_HEADERS_FILTER;
}
