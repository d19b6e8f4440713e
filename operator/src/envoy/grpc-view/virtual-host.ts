// One virtual host as gRPC clients get it: which of its routes they can use, and why not the others.
// A route is left out when gRPC cannot use it (grpcRouteProblem) or cannot enforce what guards it
// (access control on the route, its weighted clusters, its virtual host or its table). A left-out
// route that keeps calls from a backend (a guard, or a closed Ingress's 503) takes every later route
// whose path may overlap with it along: otherwise its calls would fall through to that route and
// reach a backend unguarded. The rest keep their order, without per-filter configs; a virtual host
// left with no routes stays (its calls fail UNAVAILABLE).
import type { LeftOutRoute, Route, RouteConfiguration, VirtualHost } from '../../../../xds-server/src/index.js';
import { accessControlIn } from './access-control.js';
import { routeForGrpc, withoutFilterConfigs } from './filter-configs.js';
import { grpcRouteProblem } from './route-support.js';
import { Memo } from '../../util/memo.js';

type Closes = 'access control gRPC clients cannot enforce' | 'closed';

/** Left-out routes, each once however many gRPC tables had it, in the order first met. */
export class LeftOutRoutes {
  private readonly byKey = new Map<string, LeftOutRoute>();

  add(index: number, route: LeftOutRoute): void {
    const key = JSON.stringify([route.routeConfiguration, route.virtualHost, index]);
    if (!this.byKey.has(key)) this.byKey.set(key, route);
  }

  list(): LeftOutRoute[] {
    return [...this.byKey.values()];
  }

  addAll(other: LeftOutRoutes): void {
    for (const [key, route] of other.byKey) if (!this.byKey.has(key)) this.byKey.set(key, route);
  }
}

/**
 * The virtual host as gRPC clients get it: `virtualHost` itself when every route is usable and
 * nothing carries a per-filter config. A guard on the table or the virtual host guards every route.
 * `origins`: the objects that made the virtual host, for what is left out.
 */
export function virtualHostForGrpc(routeConfig: RouteConfiguration, virtualHost: VirtualHost, origins: string[], leftOut: LeftOutRoutes): VirtualHost {
  // The same Envoy virtual host (the envoy stage hands unchanged ones over again) in a table of the
  // same name and guard, told the same origins, gives the same view and leaves out the same routes.
  const { view, left } = VIEWS.get(virtualHost, routeConfig.name ?? '', routeConfig.typed_per_filter_config, origins);
  leftOut.addAll(left);
  return view;
}

const VIEWS = new Memo((virtualHost: VirtualHost, tableName: string, tableConfigs: RouteConfiguration['typed_per_filter_config'], origins: string[]) => {
  const left = new LeftOutRoutes();
  return { view: viewOf(tableName, tableConfigs, virtualHost, origins, left), left };
});

function viewOf(tableName: string, tableConfigs: RouteConfiguration['typed_per_filter_config'], virtualHost: VirtualHost, origins: string[], leftOut: LeftOutRoutes): VirtualHost {
  const guardedBy = accessControlIn(tableConfigs) ?? accessControlIn(virtualHost.typed_per_filter_config);
  const routes = virtualHost.routes ?? [];
  const kept: Route[] = [];
  /** Routes left out that kept calls from a backend: a call they matched must not reach a later route. */
  const closed: { route: Route; closes: Closes }[] = [];
  routes.forEach((route, index) => {
    const own = leaveOutReason(route, guardedBy);
    if (own?.closes !== undefined) closed.push({ route, closes: own.closes });
    const shadowed = own === undefined ? closed.find((c) => pathsMayOverlap(c.route.match, route.match)) : undefined;
    const reason = own?.reason ?? (shadowed && `it would take gRPC calls meant for ${shadowed.route.name ?? describeMatch(shadowed.route)}, which is left out (${shadowed.closes}); left out too`);
    if (reason === undefined) {
      kept.push(routeForGrpc(route));
      return;
    }
    leftOut.add(index, { routeConfiguration: tableName, virtualHost: virtualHost.name ?? '', route: route.name ?? describeMatch(route), reason, origins });
  });
  const stripped = withoutFilterConfigs(virtualHost);
  return stripped === virtualHost && kept.length === routes.length && kept.every((route, index) => route === routes[index]) ? virtualHost : { ...stripped, routes: kept };
}

/**
 * Why gRPC must not get a route: it cannot use it, or cannot enforce what guards it. `closes`: the
 * route keeps requests from a backend (a guard, or a direct response such as a closed Ingress's
 * 503), so a later route must not take its calls either.
 */
function leaveOutReason(route: Route, guardedBy: string | undefined): { reason: string; closes: Closes | undefined } | undefined {
  const problem = grpcRouteProblem(route);
  if (problem !== undefined) return { reason: problem, closes: route.direct_response ? 'closed' : undefined };
  const guard = guardedBy ?? accessControlIn(route.typed_per_filter_config) ?? route.route?.weighted_clusters?.clusters?.map((c) => accessControlIn(c.typed_per_filter_config)).find((g) => g !== undefined);
  return guard === undefined ? undefined : { reason: `access control gRPC clients cannot enforce: ${guard}; left out rather than served unguarded`, closes: 'access control gRPC clients cannot enforce' };
}

/**
 * Whether some path could match both routes' path matches (header matchers aside: a superset).
 * Compared without case, and any regex overlaps everything: when unsure, they overlap.
 */
function pathsMayOverlap(a: Route['match'], b: Route['match']): boolean {
  const exact = (m: Route['match']): string | undefined => (m?.path != null ? m.path.toLowerCase() : undefined);
  const prefix = (m: Route['match']): string | undefined => (m?.prefix != null ? m.prefix.toLowerCase() : undefined);
  const [aPath, aPrefix, bPath, bPrefix] = [exact(a), prefix(a), exact(b), prefix(b)];
  if (aPath !== undefined && bPath !== undefined) return aPath === bPath;
  if (aPath !== undefined && bPrefix !== undefined) return aPath.startsWith(bPrefix);
  if (aPrefix !== undefined && bPath !== undefined) return bPath.startsWith(aPrefix);
  if (aPrefix !== undefined && bPrefix !== undefined) return aPrefix.startsWith(bPrefix) || bPrefix.startsWith(aPrefix);
  return true;
}

function describeMatch(route: Route): string {
  const match = route.match;
  if (match?.path != null) return `path ${match.path}`;
  if (match?.prefix != null) return `prefix ${match.prefix}`;
  if (match?.safe_regex) return `regex ${match.safe_regex.regex ?? ''}`;
  return 'without a path match';
}
