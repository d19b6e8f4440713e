// IR virtual hosts → a RouteConfiguration per listener. Every match is written in a form that both
// Envoy and gRPC xDS clients accept (no path_separated_prefix, which gRPC rejects). The plain-HTTP
// table carries the HTTPS redirects; the HTTPS table carries HSTS. Otherwise they are the same.
import type { HeaderMatcher } from '../../../xds-server/src/generated/envoy/config/route/v3/HeaderMatcher.js';
import type { Route } from '../../../xds-server/src/generated/envoy/config/route/v3/Route.js';
import type { RouteMatch } from '../../../xds-server/src/generated/envoy/config/route/v3/RouteMatch.js';
import type { VirtualHost } from '../../../xds-server/src/generated/envoy/config/route/v3/VirtualHost.js';
import type { RouteConfiguration } from '../../../xds-server/src/resources.js';
import type { IrRoute, IrVirtualHost } from '../ir/types.js';
import { isWildcardHost, singleLabelRegex, wholePathRegex } from '../ir/host-and-path.js';

export type Scheme = 'http' | 'https';

/**
 * Envoy sets X-Forwarded-Proto to the connection's scheme unless the peer is a trusted proxy
 * (xff_num_trusted_hops), whose value it keeps: so "not https" is a plain connection, or a proxy in
 * front that received plain HTTP. That is when ingress-nginx redirects, too.
 */
const NOT_FORWARDED_FROM_HTTPS: HeaderMatcher = { name: 'x-forwarded-proto', string_match: { exact: 'https' }, invert_match: true };

export function routeConfiguration(name: string, virtualHosts: readonly IrVirtualHost[], scheme: Scheme): RouteConfiguration {
  return { name, virtual_hosts: virtualHosts.map((host) => virtualHost(host, scheme)) };
}

function virtualHost(host: IrVirtualHost, scheme: Scheme): VirtualHost {
  const authority = isWildcardHost(host.host) ? singleLabelAuthority(host.host) : undefined;
  // The fall-through routes come after the wildcard's own and take only the names the wildcard
  // does not cover (the inverted guard): a one-label name whose path none of the wildcard's rules
  // match must get 404 (or the default backend among its own routes), never a hostless rule.
  const deeper: HeaderMatcher | undefined = authority && { ...authority, invert_match: true };
  const virtualHost: VirtualHost = {
    name: host.host,
    domains: [host.host],
    routes: [...host.routes.flatMap((route) => routes(route, authority, scheme)), ...(host.fallthrough ?? []).flatMap((route) => routes(route, deeper, scheme))],
  };
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
 * plain HTTP a redirected route is preceded by its 308 twin.
 */
function routes(route: IrRoute, authority: HeaderMatcher | undefined, scheme: Scheme): Route[] {
  const served = pathMatches(route).map((match) => envoyRoute(route, authority ? { ...match, headers: [authority] } : match));
  if (scheme === 'https' || !route.httpsRedirect) return served;
  const redirects = pathMatches(route).map((match): Route => ({
    name: `${route.name}/https-redirect`,
    match: { ...match, headers: [...(authority ? [authority] : []), NOT_FORWARDED_FROM_HTTPS] },
    redirect: { https_redirect: true, response_code: 'PERMANENT_REDIRECT' },
  }));
  return [...redirects, ...served];
}

function envoyRoute(route: IrRoute, withHost: RouteMatch): Route {
  if (route.action.kind === 'redirect') {
    return { name: route.name, match: withHost, redirect: { path_redirect: route.action.path, response_code: 'FOUND' } };
  }
  if (route.action.kind === 'deny') {
    return { name: route.name, match: withHost, direct_response: { status: route.action.status, body: { inline_string: route.action.message } } };
  }
  const { cluster, rewrite } = route.action;
  const action = rewrite
    ? { cluster, regex_rewrite: { pattern: { regex: rewrite.pattern }, substitution: rewrite.substitution } }
    : { cluster };
  return { name: route.name, match: withHost, route: action };
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
