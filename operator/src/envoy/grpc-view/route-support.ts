// Which routes gRPC clients can use at all: grpc-js-xds's own checks. A table with one route it
// cannot use is rejected whole, so such routes are left out of every gRPC table.
import type { Route } from '../../../../xds-server/src/index.js';

const UINT32_MAX = 0xffffffff;

/**
 * Why gRPC cannot use a route, or undefined when it can. Mirrors grpc-js-xds 1.14.1's RDS
 * validation (route-config-resource-type.js, after gRFC A28), whose every failure rejects the
 * whole table, plus what its resolver drops or cannot handle (resolver-xds.js): a
 * non_forwarding_action passes validation but the client then reads its missing route action, and a
 * cluster_header route is skipped.
 */
export function grpcRouteProblem(route: Route): string | undefined {
  if (route.redirect) return 'gRPC does not support redirects';
  if (route.direct_response) return 'gRPC does not support direct responses';
  if (route.non_forwarding_action || route.filter_action) return 'gRPC clients support only route actions';
  const match = route.match;
  if (!match || (match.prefix == null && match.path == null && !match.safe_regex)) return 'gRPC supports only prefix, path and safe_regex path matches';
  // Of HeaderMatcher's match specifiers, grpc-js-xds supports all but contains_match.
  const unsupported = (match.headers ?? []).find((header) => header.contains_match != null || header.header_match_specifier === 'contains_match');
  if (unsupported) return `gRPC does not support contains_match (header ${unsupported.name ?? ''})`;
  const action = route.route;
  if (!action) return 'gRPC clients support only route actions';
  if (action.cluster != null) return undefined;
  if (action.weighted_clusters) {
    const sum = (action.weighted_clusters.clusters ?? []).reduce((total, c) => total + Number(c.weight?.value ?? 0), 0);
    return sum === 0 || sum > UINT32_MAX ? 'gRPC needs weighted clusters whose weights sum to 1..2^32-1' : undefined;
  }
  return 'gRPC supports only cluster and weighted_clusters targets';
}
