// Proxyless gRPC clients (grpc-js-xds and gRPC in other languages) resolve `xds:///HOST` by
// asking for a Listener named HOST whose api_listener holds an HttpConnectionManager; they then
// follow its RDS name, pick a virtual host by the call's authority, and route as Envoy would.
// This adds such listeners to a fleet, built from the RouteConfigurations the Envoy listeners use,
// so both kinds of client route by one translation:
// - one per host named in those RouteConfigurations (exact names only: a client dials a name),
//   on a RouteConfiguration of its own (`grpc:HOST`) holding just that host's virtual host, the
//   one the client would pick from the whole table. gRPC speaks only SotW, where a changed
//   RouteConfiguration is sent whole: per host, an edit elsewhere sends a client nothing, and a
//   large fleet's table never meets gRPC's 4 MiB message limit;
// - one named ANY_HOST_LISTENER on the RouteConfiguration holding the catch-all `*` virtual host:
//   a client whose bootstrap uses it as client_default_listener_resource_name_template routes
//   every authority, unknown hosts included, exactly as Envoy does (this one is the whole table,
//   or its copy `grpc:*` when routes had to be left out).
// Both views leave out the routes gRPC cannot use (grpcRouteProblem): gRPC rejects a RouteConfiguration
// whole for one such route, so one app-root redirect would cut every client off. They also leave out
// the routes an access-control filter guards (RBAC, ext_authz, basic_auth, local_ratelimit): a
// proxyless client runs no such filter, so serving it the route would fail open. Every other
// per-filter config (cors, buffer, …) is stripped from routes and virtual hosts: grpc-js-xds rejects
// the table for a config type it does not know, and it runs none of those filters anyway. The rest
// of the table keeps its order; a virtual host left with no routes stays (its calls fail UNAVAILABLE).
// What was left out is returned (leftOut) with the objects that made it.
// The server keeps these listeners out of wildcard (Envoy) subscriptions (EncodedResource.inWildcard)
// and out of the Delta view altogether: gRPC clients do not speak Delta.
import type { HttpConnectionManager } from '../generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { virtualHostResourceName } from '../cache/virtual-host-discovery.js';
import { packAny } from '../protos/any.js';
import type { Route } from '../generated/envoy/config/route/v3/Route.js';
import type { Any } from '../generated/google/protobuf/Any.js';
import type { FleetResources, FleetView, Listener, ResourceOrigins, RouteConfiguration, VirtualHost } from '../resources.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE } from '../protos/type-urls.js';
import { compareStrings } from '../util/compare-strings.js';

export const ANY_HOST_LISTENER = 'portico:any-host';

/** The RouteConfiguration the API listener of one host uses. */
export function hostRouteConfigurationName(host: string): string {
  return `grpc:${host}`;
}

/** The RouteConfiguration of the any-host listener when routes had to be left out of the whole table. */
export const ANY_HOST_ROUTE_CONFIGURATION = 'grpc:*';

/** A route of the Envoy table that the gRPC view leaves out, once however many gRPC tables had it. */
export interface LeftOutRoute {
  /** The Envoy RouteConfiguration and virtual host it is in. */
  routeConfiguration: string;
  virtualHost: string;
  /** Its name, or its match when it has none. */
  route: string;
  reason: string;
  /** The objects that made its virtual host (or its table, when the operator did not say). */
  origins: string[];
}

export interface GrpcApiListenersResult extends FleetView {
  /** Hosts whose name is already taken by another Listener: no API listener for them. */
  skipped: string[];
  /** Routes gRPC clients cannot use, left out of their tables; in table order. */
  leftOut: LeftOutRoute[];
}

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

/** Per-route configs of the filters that decide who may pass, by type: gRPC clients enforce none of them. */
const ACCESS_CONTROL_CONFIGS: Readonly<Record<string, string>> = {
  'envoy.extensions.filters.http.rbac.v3.RBAC': 'an RBAC filter (source ranges)',
  'envoy.extensions.filters.http.rbac.v3.RBACPerRoute': 'an RBAC filter (source ranges)',
  'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz': 'external authentication (ext_authz)',
  'envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute': 'external authentication (ext_authz)',
  'envoy.extensions.filters.http.basic_auth.v3.BasicAuth': 'basic authentication',
  'envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute': 'basic authentication',
  'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit': 'a rate limit (local_ratelimit)',
};
const FILTER_CONFIG = 'envoy.config.route.v3.FilterConfig';
/** A config as JSON (Struct) with the type it stands for in `type_url`; Envoy converts it. */
const TYPED_STRUCTS = new Set(['xds.type.v3.TypedStruct', 'udpa.type.v1.TypedStruct']);
const TYPE_PREFIX = 'type.googleapis.com/';

type FilterConfigs = Record<string, Any> | undefined;

/**
 * What guards access among per-filter configs, or undefined when nothing does. A config that only
 * turns its filter off (FilterConfig{disabled}, RBACPerRoute without rules, ExtAuthzPerRoute{disabled})
 * guards nothing. FilterConfig and TypedStruct wrappers are looked into; in their encoded form
 * they cannot be, so they count as guards.
 */
export function accessControlIn(configs: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const [name, config] of Object.entries(configs ?? {})) {
    const guard = accessControlOf(config);
    if (guard !== undefined) return `${guard}, ${name}`;
  }
  return undefined;
}

function accessControlOf(config: unknown): string | undefined {
  if (!isRecord(config)) return undefined;
  const type = typeName(typeof config['@type'] === 'string' ? config['@type'] : config['type_url']);
  const encoded = config['@type'] === undefined;
  if (type === FILTER_CONFIG) {
    if (encoded) return 'a filter config Portico cannot read';
    return config['disabled'] === true ? undefined : accessControlOf(config['config']);
  }
  if (TYPED_STRUCTS.has(type)) return encoded ? 'a filter config Portico cannot read' : ACCESS_CONTROL_CONFIGS[typeName(config['type_url'])];
  const what = ACCESS_CONTROL_CONFIGS[type];
  if (what === undefined || encoded) return what;
  if (type.endsWith('.RBACPerRoute') && config['rbac'] == null) return undefined;
  if (type.endsWith('.ExtAuthzPerRoute') && config['disabled'] === true) return undefined;
  return what;
}

function typeName(typeUrl: unknown): string {
  if (typeof typeUrl !== 'string') return '';
  return typeUrl.startsWith(TYPE_PREFIX) ? typeUrl.slice(TYPE_PREFIX.length) : typeUrl;
}

/** The object without typed_per_filter_config (gRPC clients run none of those filters); itself when it has none. */
function withoutFilterConfigs<T extends { typed_per_filter_config?: FilterConfigs }>(object: T): T {
  if (object.typed_per_filter_config === undefined) return object;
  const copy = { ...object };
  delete copy.typed_per_filter_config;
  return copy;
}

/** The route as gRPC clients get it: no per-filter configs, here or on its weighted clusters. */
function routeForGrpc(route: Route): Route {
  const clusters = route.route?.weighted_clusters?.clusters;
  const stripped = clusters?.map((cluster) => withoutFilterConfigs(cluster));
  const withClusters = stripped && stripped.some((cluster, index) => cluster !== clusters?.[index])
    ? { ...route, route: { ...route.route, weighted_clusters: { ...route.route?.weighted_clusters, clusters: stripped } } }
    : route;
  return withoutFilterConfigs(withClusters);
}

/**
 * Why gRPC must not get a route: it cannot use it, or cannot enforce what guards it. `closes`: the
 * route keeps requests from a backend (a guard, or a direct response such as a closed Ingress's
 * 503), so a later route must not take its calls either.
 */
function grpcLeaveOutReason(route: Route, guardedBy: string | undefined): { reason: string; closes: 'access control gRPC clients cannot enforce' | 'closed' | undefined } | undefined {
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

export function withGrpcApiListeners(resources: FleetResources, origins: ResourceOrigins): GrpcApiListenersResult {
  const routeConfigByName = new Map(resources.routeConfigurations.map((rc) => [rc.name ?? '', rc]));
  const taken = new Set(resources.listeners.map((listener) => listener.name ?? ''));
  const hostTables = new Map<string, { routeConfig: RouteConfiguration; virtualHost: VirtualHost }>();
  const leftOut = new Map<string, LeftOutRoute>();
  const originsOf = (tableName: string, virtualHost: VirtualHost): string[] =>
    origins.virtualHost?.[virtualHostResourceName(tableName, virtualHost.name ?? '')] ?? origins.routeConfiguration?.[tableName] ?? [];
  /**
   * The virtual host as gRPC clients get it: `virtualHost` itself when every route is usable and
   * nothing carries a per-filter config. A guard on the table or the virtual host guards every route.
   */
  const forGrpc = (routeConfig: RouteConfiguration, virtualHost: VirtualHost): VirtualHost => {
    const tableName = routeConfig.name ?? '';
    const guardedBy = accessControlIn(routeConfig.typed_per_filter_config) ?? accessControlIn(virtualHost.typed_per_filter_config);
    const routes = virtualHost.routes ?? [];
    const kept: Route[] = [];
    /** Routes left out that kept calls from a backend: a call they matched must not reach a later route. */
    const closed: { route: Route; closes: string }[] = [];
    routes.forEach((route, index) => {
      const own = grpcLeaveOutReason(route, guardedBy);
      if (own?.closes !== undefined) closed.push({ route, closes: own.closes });
      const shadowed = own === undefined ? closed.find((c) => pathsMayOverlap(c.route.match, route.match)) : undefined;
      const reason = own?.reason ?? (shadowed && `it would take gRPC calls meant for ${shadowed.route.name ?? describeMatch(shadowed.route)}, which is left out (${shadowed.closes}); left out too`);
      if (reason === undefined) {
        kept.push(routeForGrpc(route));
        return;
      }
      const key = JSON.stringify([tableName, virtualHost.name ?? '', index]);
      if (!leftOut.has(key)) leftOut.set(key, { routeConfiguration: tableName, virtualHost: virtualHost.name ?? '', route: route.name ?? describeMatch(route), reason, origins: originsOf(tableName, virtualHost) });
    });
    const stripped = withoutFilterConfigs(virtualHost);
    return stripped === virtualHost && kept.length === routes.length && kept.every((route, index) => route === routes[index]) ? virtualHost : { ...stripped, routes: kept };
  };
  let anyHostRouteConfig: string | undefined;

  for (const routeConfigName of routeConfigNamesByPreference(resources.listeners)) {
    const routeConfig = routeConfigByName.get(routeConfigName);
    for (const virtualHost of routeConfig?.virtual_hosts ?? []) {
      for (const domain of virtualHost.domains ?? []) {
        if (domain === '*') anyHostRouteConfig ??= routeConfigName;
        else if (routeConfig && isDialableHost(domain) && !hostTables.has(domain)) hostTables.set(domain, { routeConfig, virtualHost });
      }
    }
  }

  const listeners: Listener[] = [];
  const routeConfigurations: RouteConfiguration[] = [];
  const skipped: string[] = [];
  const listenerOrigins: Record<string, string[]> = { ...(origins.listener ?? {}) };
  const routeOrigins: Record<string, string[]> = { ...(origins.routeConfiguration ?? {}) };
  const addListener = (name: string, routeConfigName: string, from: string[]): boolean => {
    if (taken.has(name)) {
      skipped.push(name);
      return false;
    }
    listeners.push(apiListener(name, routeConfigName));
    listenerOrigins[name] = from;
    return true;
  };
  for (const [host, { routeConfig, virtualHost }] of hostTables) {
    const tableName = routeConfig.name ?? '';
    // The Ingresses of this host only, when the operator said which made each virtual host.
    const from = originsOf(tableName, virtualHost);
    const name = hostRouteConfigurationName(host);
    if (!addListener(host, name, from)) continue;
    routeConfigurations.push({ ...withoutFilterConfigs(routeConfig), name, virtual_hosts: [forGrpc(routeConfig, virtualHost)] });
    routeOrigins[name] = from;
  }
  const anyHostTable = anyHostRouteConfig === undefined ? undefined : routeConfigByName.get(anyHostRouteConfig);
  if (anyHostTable && !taken.has(ANY_HOST_LISTENER)) {
    const tableName = anyHostTable.name ?? '';
    const from = origins.routeConfiguration?.[tableName] ?? [];
    const virtualHosts = anyHostTable.virtual_hosts ?? [];
    const filtered = virtualHosts.map((virtualHost) => forGrpc(anyHostTable, virtualHost));
    // The Envoy table itself while gRPC can take it whole (it ignores a table's own per-filter
    // configs); else a copy without what it cannot use.
    if (filtered.every((virtualHost, index) => virtualHost === virtualHosts[index])) addListener(ANY_HOST_LISTENER, tableName, from);
    else {
      addListener(ANY_HOST_LISTENER, ANY_HOST_ROUTE_CONFIGURATION, from);
      routeConfigurations.push({ ...withoutFilterConfigs(anyHostTable), name: ANY_HOST_ROUTE_CONFIGURATION, virtual_hosts: filtered });
      routeOrigins[ANY_HOST_ROUTE_CONFIGURATION] = from;
    }
  } else if (anyHostTable) skipped.push(ANY_HOST_LISTENER);

  if (listeners.length === 0) return { resources, origins, skipped, leftOut: [] };
  const byName = (a: { name?: string }, b: { name?: string }): number => compareStrings(a.name ?? '', b.name ?? '');
  return {
    resources: {
      ...resources,
      listeners: [...resources.listeners, ...listeners].sort(byName),
      routeConfigurations: [...resources.routeConfigurations, ...routeConfigurations].sort(byName),
    },
    origins: { ...origins, listener: listenerOrigins, routeConfiguration: routeOrigins },
    skipped: skipped.sort(),
    leftOut: [...leftOut.values()],
  };
}

export function apiListener(name: string, routeConfigName: string): Listener {
  const hcm: HttpConnectionManager = {
    // gRPC ignores it, but the proto requires one and the server serves nothing that breaks the rules.
    stat_prefix: name,
    rds: { route_config_name: routeConfigName, config_source: { ads: {} } },
    http_filters: [{ name: 'router', typed_config: { '@type': ROUTER_TYPE } }],
  };
  return { name, api_listener: { api_listener: packAny(HTTP_CONNECTION_MANAGER_TYPE, hcm) } };
}

/**
 * RDS names used by the listeners' HttpConnectionManagers: TLS filter chains first. A proxyless
 * client reaches backends directly, so the plain-HTTP table's redirects to HTTPS (ingress-nginx's
 * ssl-redirect) mean nothing to it; the HTTPS table has the same routes without them.
 */
function routeConfigNamesByPreference(listeners: readonly Listener[]): string[] {
  const plain: string[] = [];
  const tls: string[] = [];
  for (const listener of listeners) {
    if (listener.api_listener) continue;
    const chains = [...(listener.filter_chains ?? []), ...(listener.default_filter_chain ? [listener.default_filter_chain] : [])];
    for (const chain of chains) {
      for (const filter of chain.filters ?? []) {
        const name = rdsNameOf(filter.typed_config);
        if (name !== undefined) (chain.transport_socket ? tls : plain).push(name);
      }
    }
  }
  return [...new Set([...tls, ...plain])];
}

function rdsNameOf(typedConfig: unknown): string | undefined {
  if (!isRecord(typedConfig) || typedConfig['@type'] !== HTTP_CONNECTION_MANAGER_TYPE) return undefined;
  const rds = typedConfig['rds'];
  if (!isRecord(rds)) return undefined;
  const name = rds['route_config_name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function describeMatch(route: Route): string {
  const match = route.match;
  if (match?.path != null) return `path ${match.path}`;
  if (match?.prefix != null) return `prefix ${match.prefix}`;
  if (match?.safe_regex) return `regex ${match.safe_regex.regex ?? ''}`;
  return 'without a path match';
}

/** A name a client can put in `xds:///NAME`: no wildcard, no port. */
function isDialableHost(domain: string): boolean {
  return domain !== '' && !domain.includes('*') && !domain.includes(':');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
