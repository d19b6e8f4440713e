// IR virtual hosts → one RouteConfiguration. Every match is written in a form that both Envoy and
// gRPC xDS clients accept (no path_separated_prefix, which gRPC rejects).
import type { HeaderMatcher } from '../../../xds-server/src/generated/envoy/config/route/v3/HeaderMatcher.js';
import type { Route } from '../../../xds-server/src/generated/envoy/config/route/v3/Route.js';
import type { RouteMatch } from '../../../xds-server/src/generated/envoy/config/route/v3/RouteMatch.js';
import type { VirtualHost } from '../../../xds-server/src/generated/envoy/config/route/v3/VirtualHost.js';
import type { RouteConfiguration } from '../../../xds-server/src/resources.js';
import type { IrRoute, IrVirtualHost } from '../ir/types.js';
import { isWildcardHost, singleLabelRegex, wholePathRegex } from '../ir/host-and-path.js';

export function routeConfiguration(name: string, virtualHosts: readonly IrVirtualHost[]): RouteConfiguration {
  return { name, virtual_hosts: virtualHosts.map(virtualHost) };
}

function virtualHost(host: IrVirtualHost): VirtualHost {
  const authority = isWildcardHost(host.host) ? singleLabelAuthority(host.host) : undefined;
  // The fall-through routes come after the wildcard's own and take only the names the wildcard
  // does not cover (the inverted guard): a one-label name whose path none of the wildcard's rules
  // match must get 404 (or the default backend among its own routes), never a hostless rule.
  const deeper: HeaderMatcher | undefined = authority && { ...authority, invert_match: true };
  return {
    name: host.host,
    domains: [host.host],
    routes: [...host.routes.flatMap((route) => routes(route, authority)), ...(host.fallthrough ?? []).flatMap((route) => routes(route, deeper))],
  };
}

/** Envoy's `*.foo.com` matches any depth, Ingress's exactly one label. */
function singleLabelAuthority(host: string): HeaderMatcher {
  return { name: ':authority', string_match: { safe_regex: { regex: singleLabelRegex(host) } } };
}

/** One IR route can need two Envoy routes: Prefix `/foo` is exact `/foo` plus prefix `/foo/`. */
function routes(route: IrRoute, authority: HeaderMatcher | undefined): Route[] {
  return pathMatches(route).map((match) => {
    const withHost: RouteMatch = authority ? { ...match, headers: [authority] } : match;
    if (route.action.kind === 'redirect') {
      return { name: route.name, match: withHost, redirect: { path_redirect: route.action.path, response_code: 'FOUND' } };
    }
    const { cluster, rewrite } = route.action;
    const action = rewrite
      ? { cluster, regex_rewrite: { pattern: { regex: rewrite.pattern }, substitution: rewrite.substitution } }
      : { cluster };
    return { name: route.name, match: withHost, route: action };
  });
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
