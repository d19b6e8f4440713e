// IR virtual hosts → a RouteConfiguration per listener. Every match is written in a form that both
// Envoy and gRPC xDS clients accept (no path_separated_prefix, which gRPC rejects). The plain-HTTP
// table carries the HTTPS redirects; the HTTPS table carries HSTS. Otherwise they are the same.
// What a route's policy asks for is in route-action.ts and the HTTP filter modules (http-filters/).
import type { HeaderMatcher, HeaderValueOption, Route, RouteConfiguration, RouteMatch, VirtualHost } from '../../../xds-server/src/index.js';
import type { IrFleet, IrRoute, IrRouteDefaults, IrVirtualHost } from '../ir/types.js';
import { withCanary } from './canary-routes.js';
import { Memo } from '../util/memo.js';
import { routeFilterConfigs } from './http-filters/index.js';
import { forwardAction, redirectAction, retryPolicy, setHeaders } from './route-action.js';
import { isWildcardHost, singleLabelRegex, wholePathRegex } from '../ir/host-and-path.js';

export type Scheme = 'http' | 'https';

/**
 * Envoy sets X-Forwarded-Proto to the connection's scheme unless the peer is a trusted proxy
 * (xff_num_trusted_hops), whose value it keeps: so "not https" is a plain connection, or a proxy in
 * front that received plain HTTP. That is when ingress-nginx redirects, too.
 */
const NOT_FORWARDED_FROM_HTTPS: HeaderMatcher = { name: 'x-forwarded-proto', string_match: { exact: 'https' }, invert_match: true };

/**
 * The headers nginx sets on every proxied request and Envoy does not by default. Envoy already
 * sets X-Forwarded-For and X-Forwarded-Proto; the client address here is the one Envoy trusts
 * (after the class's X-Forwarded-For hops), as nginx's $remote_addr after its real-IP module.
 */
const FORWARDED_HEADERS: HeaderValueOption[] = setHeaders([
  { name: 'x-real-ip', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' },
  { name: 'x-forwarded-host', value: '%REQ(:AUTHORITY)%' },
  { name: 'x-forwarded-port', value: '%DOWNSTREAM_LOCAL_PORT%' },
  { name: 'x-forwarded-scheme', value: '%REQ(X-FORWARDED-PROTO)%' },
  { name: 'x-scheme', value: '%REQ(X-FORWARDED-PROTO)%' },
]);

/**
 * `previous`: the table of this name made from the fleet before an edit, and that fleet's virtual
 * hosts. A host that is the very object it was in the same place keeps its Envoy virtual host
 * without a look-up (the memo would give the same one; this is a pointer comparison per host).
 */
export function routeConfiguration(name: string, fleet: Pick<IrFleet, 'virtualHosts' | 'routeDefaults'>, scheme: Scheme, previous?: { virtualHosts: readonly IrVirtualHost[]; table: RouteConfiguration }): RouteConfiguration {
  const built = scheme === 'http' ? HTTP_HOSTS : HTTPS_HOSTS;
  const hostsBefore = previous && previous.table.name === name && MADE_WITH.get(previous.table) === fleet.routeDefaults ? previous.table.virtual_hosts : undefined;
  const irBefore = previous?.virtualHosts;
  const virtualHosts = fleet.virtualHosts.map((host, i) => (hostsBefore && irBefore?.[i] === host && hostsBefore.length === irBefore.length ? (hostsBefore[i] as VirtualHost) : built.get(host, fleet.routeDefaults)));
  const table = { name, virtual_hosts: virtualHosts, request_headers_to_add: FORWARDED_HEADERS };
  MADE_WITH.set(table, fleet.routeDefaults);
  return table;
}

/** The defaults each table's virtual hosts were made with (an input of theirs besides the IR host). */
const MADE_WITH = new WeakMap<RouteConfiguration, IrRouteDefaults>();

const HTTP_HOSTS = new Memo((host: IrVirtualHost, defaults: IrRouteDefaults) => made(virtualHost(host, 'http', defaults), host));
const HTTPS_HOSTS = new Memo((host: IrVirtualHost, defaults: IrRouteDefaults) => made(virtualHost(host, 'https', defaults), host));

/** The IR virtual host an Envoy virtual host of routeConfiguration's was made of. */
export function irVirtualHostOf(virtualHost: VirtualHost): IrVirtualHost | undefined {
  return MADE_OF.get(virtualHost);
}

const MADE_OF = new WeakMap<VirtualHost, IrVirtualHost>();

function made(virtualHost: VirtualHost, of: IrVirtualHost): VirtualHost {
  MADE_OF.set(virtualHost, of);
  return virtualHost;
}

function virtualHost(host: IrVirtualHost, scheme: Scheme, defaults: IrRouteDefaults): VirtualHost {
  const authority = isWildcardHost(host.host) ? singleLabelAuthority(host.host) : undefined;
  // The fall-through routes come after the wildcard's own and take only the names the wildcard
  // does not cover (the inverted guard): a one-label name whose path none of the wildcard's rules
  // match must get 404 (or the default backend among its own routes), never a hostless rule.
  const deeper: HeaderMatcher | undefined = authority && { ...authority, invert_match: true };
  const virtualHost: VirtualHost = {
    name: host.host,
    domains: [host.host],
    routes: [...host.routes.flatMap((route) => routes(route, authority, scheme, defaults)), ...(host.fallthrough ?? []).flatMap((route) => routes(route, deeper, scheme, defaults))],
  };
  // The class's retries: a route with retries of its own (or none) replaces them whole.
  if (defaults.retry) virtualHost.retry_policy = retryPolicy(defaults.retry);
  if (scheme === 'https' && host.hsts !== undefined) {
    // As ingress-nginx's more_set_headers: the controller's value replaces a backend's.
    virtualHost.response_headers_to_add = [{ header: { key: 'strict-transport-security', value: host.hsts }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }];
  }
  return virtualHost;
}

/** Envoy's `*.foo.com` matches any depth, Ingress's exactly one label. */
function singleLabelAuthority(host: string): HeaderMatcher {
  return { name: ':authority', string_match: { safe_regex: { regex: singleLabelRegex(host) } } };
}

/**
 * One IR route can need two Envoy routes: Prefix `/foo` is exact `/foo` plus prefix `/foo/`. Over
 * plain HTTP a redirected route is preceded by its redirecting twin (the class's code, 308 by default).
 */
function routes(route: IrRoute, authority: HeaderMatcher | undefined, scheme: Scheme, defaults: IrRouteDefaults): Route[] {
  const served = pathMatches(route).flatMap((match) => withCanary(route, envoyRoute(route, authority ? { ...match, headers: [authority] } : match, defaults)));
  if (scheme === 'https' || !route.httpsRedirect) return served;
  const redirects = pathMatches(route).map((match): Route => ({
    name: `${route.name}/https-redirect`,
    match: { ...match, headers: [...(authority ? [authority] : []), NOT_FORWARDED_FROM_HTTPS] },
    redirect: { https_redirect: true, response_code: redirectAction({ kind: 'redirect', statusCode: defaults.httpsRedirectCode }).response_code },
  }));
  return [...redirects, ...served];
}

function envoyRoute(route: IrRoute, withHost: RouteMatch, defaults: IrRouteDefaults): Route {
  const { action, policy } = route;
  if (action.kind === 'redirect') return { name: route.name, match: withHost, redirect: redirectAction(action) };
  if (action.kind === 'deny') {
    return { name: route.name, match: withHost, direct_response: { status: action.status, body: { inline_string: action.message } } };
  }
  const result: Route = { name: route.name, match: withHost, route: forwardAction(action, policy, defaults) };
  if (policy?.requestHeaders) result.request_headers_to_add = setHeaders(policy.requestHeaders);
  if (policy?.responseHeaders) result.response_headers_to_add = setHeaders(policy.responseHeaders);
  const filters = routeFilterConfigs(route);
  if (filters) result.typed_per_filter_config = filters;
  return result;
}

function pathMatches(route: IrRoute): RouteMatch[] {
  const { match } = route;
  switch (match.kind) {
    case 'exact':
      return [{ path: match.path }];
    case 'prefix':
      return match.path === '/' ? [{ prefix: '/' }] : [{ path: match.path }, { prefix: `${match.path}/` }];
    case 'stringPrefix':
      return [{ prefix: match.path }];
    case 'regex':
      return [{ safe_regex: { regex: wholePathRegex(match.regex) } }];
  }
}
