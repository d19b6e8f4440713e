// Per-filter configs (cors, buffer, …) are stripped from what gRPC clients get: grpc-js-xds rejects
// a table for a config type it does not know, and it runs none of those filters anyway.
import type { Any, Route } from '../../../../xds-server/src/index.js';

type FilterConfigs = Record<string, Any> | undefined;

/** The object without typed_per_filter_config (gRPC clients run none of those filters); itself when it has none. */
export function withoutFilterConfigs<T extends { typed_per_filter_config?: FilterConfigs }>(object: T): T {
  if (object.typed_per_filter_config === undefined) return object;
  const copy = { ...object };
  delete copy.typed_per_filter_config;
  return copy;
}

/** The route as gRPC clients get it: no per-filter configs, here or on its weighted clusters. */
export function routeForGrpc(route: Route): Route {
  const clusters = route.route?.weighted_clusters?.clusters;
  const stripped = clusters?.map((cluster) => withoutFilterConfigs(cluster));
  const withClusters = stripped && stripped.some((cluster, index) => cluster !== clusters?.[index])
    ? { ...route, route: { ...route.route, weighted_clusters: { ...route.route?.weighted_clusters, clusters: stripped } } }
    : route;
  return withoutFilterConfigs(withClusters);
}
