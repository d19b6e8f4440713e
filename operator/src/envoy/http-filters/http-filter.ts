// One HTTP filter feature: the filter the listeners list and the per-route config that turns it on
// for the routes whose policy asks for it. Each feature is a module of this folder; index.ts puts
// them in the order requests meet them.
import type { Any, HttpFilter } from '../../../../xds-server/src/index.js';
import type { IrFleet, IrRoute } from '../../ir/types.js';

export interface HttpFilterFeature {
  /** Envoy's filter name: the key of typed_per_filter_config. */
  name: string;
  /**
   * The route's config for this filter, or undefined when the route does not use it. Read from
   * the route's policy only: a route without a policy uses no filter (index.ts relies on it).
   */
  routeConfig(route: IrRoute): Any | undefined;
  /**
   * The filter as every listener of the fleet lists it, or undefined when nothing in the fleet
   * uses it. `usedByRoutes`: some route has a config for it. A filter only routes use is listed
   * with `disabled: true`, so routes without a config skip it.
   */
  listenerFilter(fleet: IrFleet, usedByRoutes: boolean): HttpFilter | undefined;
}

/**
 * A feature that needs several filters of the listener (one per auth service, say): each route
 * turns on the ones its configs name.
 */
export interface HttpFilterGroup {
  /** typed_per_filter_config entries of the route, by filter name; undefined when it uses none. Read from the route's policy only. */
  routeConfigs(route: IrRoute): Record<string, Any> | undefined;
  /** The filters every listener lists, in order, given every route of the fleet that has a policy; empty when none is used. */
  listenerFilters(fleet: IrFleet, routes: readonly IrRoute[]): HttpFilter[];
}
