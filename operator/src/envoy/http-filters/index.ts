// The HTTP filters a fleet's listeners run, in the order a request meets them, and the
// per-route configs that turn them on. The router is always last.
import type { Any, HttpFilter } from '../../../../xds-server/src/index.js';
import { ROUTER_TYPE } from '../../../../xds-server/src/index.js';
import type { IrFleet, IrRoute, IrVirtualHost } from '../../ir/types.js';
import { Memo } from '../../util/memo.js';
import { bufferFilter } from './buffer.js';
import { corsFilter } from './cors.js';
import { externalAuthFilters } from './ext-authz.js';
import type { HttpFilterFeature, HttpFilterGroup } from './http-filter.js';
import { localRateLimitFilter } from './local-rate-limit.js';
import { rbacFilter } from './rbac.js';

/**
 * Access decisions first (who may ask), then what shapes the request (its body). Rate limits
 * come before the others, as nginx's limit_req (preaccess phase) before allow/deny and auth_request.
 */
const FEATURES: readonly (HttpFilterFeature | HttpFilterGroup)[] = [localRateLimitFilter, rbacFilter, corsFilter, externalAuthFilters, bufferFilter];

const isGroup = (feature: HttpFilterFeature | HttpFilterGroup): feature is HttpFilterGroup => 'routeConfigs' in feature;

/** typed_per_filter_config of a route: one entry per filter it turns on; undefined when none. */
export function routeFilterConfigs(route: IrRoute): Record<string, Any> | undefined {
  let configs: Record<string, Any> | undefined;
  for (const feature of FEATURES) {
    if (isGroup(feature)) {
      const group = feature.routeConfigs(route);
      if (group !== undefined) configs = { ...configs, ...group };
      continue;
    }
    const config = feature.routeConfig(route);
    if (config !== undefined) (configs ??= {})[feature.name] = config;
  }
  return configs;
}

/**
 * What a virtual host asks of the listeners: its routes that ask for something (every feature
 * reads only a route's policy: a route without one turns no filter on), and which single filters
 * they turn on. Remembered per virtual host, so a fleet whose hosts mostly did not change is not
 * walked route by route again.
 */
const HOST_NEEDS = new Memo((host: IrVirtualHost) => {
  const routes = [...host.routes, ...(host.fallthrough ?? [])].filter((route) => route.policy !== undefined);
  return { routes, turnsOn: FEATURES.map((feature) => !isGroup(feature) && routes.some((route) => feature.routeConfig(route) !== undefined)) };
});

/** The filters of every listener of the fleet, the router last. */
export function httpFilters(fleet: IrFleet): HttpFilter[] {
  const routes: IrRoute[] = [];
  const turnedOn = FEATURES.map(() => false);
  // Index loops: this runs over every virtual host of the fleet on every change.
  for (let h = 0; h < fleet.virtualHosts.length; h++) {
    const needs = HOST_NEEDS.get(fleet.virtualHosts[h] as IrVirtualHost);
    if (needs.routes.length === 0) continue;
    routes.push(...needs.routes);
    for (let i = 0; i < needs.turnsOn.length; i++) if (needs.turnsOn[i]) turnedOn[i] = true;
  }
  const filters: HttpFilter[] = [];
  FEATURES.forEach((feature, i) => {
    if (isGroup(feature)) {
      filters.push(...feature.listenerFilters(fleet, routes));
      return;
    }
    const filter = feature.listenerFilter(fleet, turnedOn[i] as boolean);
    if (filter) filters.push(filter);
  });
  return [...filters, { name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER_TYPE } }];
}
