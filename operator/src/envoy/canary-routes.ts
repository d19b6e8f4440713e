// A route with a canary (ingress-nginx canary Ingress) becomes several Envoy routes with the same
// path match, tried in ingress-nginx's order of precedence (balancer.lua): the header, then the
// cookie, then the weight. Each is a copy of the primary's route (its timeouts, retries, rewrite,
// headers and per-filter config) with a header matcher added and its cluster chosen.
import type { HeaderMatcher, Route, RouteAction } from '../../../xds-server/src/index.js';
import type { IrCanary, IrRoute } from '../ir/types.js';

type Target = 'canary' | 'primary';

/** The Envoy routes for one path match of an IR route; just `route` when it has no canary. */
export function withCanary(ir: IrRoute, route: Route): Route[] {
  const canary = ir.action.kind === 'forward' ? ir.action.canary : undefined;
  const primary = route.route?.cluster;
  if (!canary || primary === undefined || !route.route) return [route];
  const decided = decidingMatchers(canary).map(({ suffix, header, target }) => {
    const match = { ...route.match, headers: [...(route.match?.headers ?? []), header] };
    return { ...route, name: `${route.name ?? ''}/canary-${suffix}`, match, route: { ...route.route, cluster: target === 'canary' ? canary.cluster : primary } };
  });
  return [...decided, { ...route, route: weighted(route.route, primary, canary) }];
}

/** Header rules first, cookie rules next; a "never" sends to the primary without a weight draw. */
function decidingMatchers(canary: IrCanary): { suffix: string; header: HeaderMatcher; target: Target }[] {
  const matchers: { suffix: string; header: HeaderMatcher; target: Target }[] = [];
  const { header, cookie } = canary;
  if (header?.value !== undefined) {
    matchers.push({ suffix: 'header-value', header: { name: header.name, string_match: { exact: header.value } }, target: 'canary' });
  } else if (header?.pattern !== undefined) {
    matchers.push({ suffix: 'header-pattern', header: { name: header.name, string_match: { safe_regex: { regex: header.pattern } } }, target: 'canary' });
  } else if (header) {
    matchers.push({ suffix: 'header-always', header: { name: header.name, string_match: { exact: 'always' } }, target: 'canary' });
    matchers.push({ suffix: 'header-never', header: { name: header.name, string_match: { exact: 'never' } }, target: 'primary' });
  }
  if (cookie) {
    matchers.push({ suffix: 'cookie-always', header: { name: 'cookie', string_match: { safe_regex: { regex: cookie.always } } }, target: 'canary' });
    matchers.push({ suffix: 'cookie-never', header: { name: 'cookie', string_match: { safe_regex: { regex: cookie.never } } }, target: 'primary' });
  }
  return matchers;
}

/** What no header or cookie decided: split by weight (total_weight is deprecated: Envoy sums the weights). */
function weighted(action: RouteAction, primary: string, canary: IrCanary): RouteAction {
  if (canary.weight === 0) return action;
  const rest: RouteAction = { ...action };
  delete rest.cluster;
  const clusters = [
    { name: primary, weight: { value: canary.totalWeight - canary.weight } },
    { name: canary.cluster, weight: { value: canary.weight } },
  ];
  return { ...rest, weighted_clusters: { clusters } };
}
