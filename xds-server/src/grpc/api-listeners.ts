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
//   every authority, unknown hosts included, exactly as Envoy does (this one is the whole table).
// The server keeps these listeners out of wildcard (Envoy) subscriptions (EncodedResource.inWildcard)
// and out of the Delta view altogether: gRPC clients do not speak Delta.
import type { HttpConnectionManager } from '../generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { virtualHostResourceName } from '../cache/virtual-host-discovery.js';
import { packAny } from '../protos/any.js';
import type { FleetResources, FleetView, Listener, ResourceOrigins, RouteConfiguration, VirtualHost } from '../resources.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE } from '../protos/type-urls.js';
import { compareStrings } from '../util/compare-strings.js';

export const ANY_HOST_LISTENER = 'portico:any-host';

/** The RouteConfiguration the API listener of one host uses. */
export function hostRouteConfigurationName(host: string): string {
  return `grpc:${host}`;
}

export interface GrpcApiListenersResult extends FleetView {
  /** Hosts whose name is already taken by another Listener: no API listener for them. */
  skipped: string[];
}

export function withGrpcApiListeners(resources: FleetResources, origins: ResourceOrigins): GrpcApiListenersResult {
  const routeConfigByName = new Map(resources.routeConfigurations.map((rc) => [rc.name ?? '', rc]));
  const taken = new Set(resources.listeners.map((listener) => listener.name ?? ''));
  const hostTables = new Map<string, { routeConfig: RouteConfiguration; virtualHost: VirtualHost }>();
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
    const from = origins.virtualHost?.[virtualHostResourceName(tableName, virtualHost.name ?? '')] ?? origins.routeConfiguration?.[tableName] ?? [];
    const name = hostRouteConfigurationName(host);
    if (!addListener(host, name, from)) continue;
    routeConfigurations.push({ ...routeConfig, name, virtual_hosts: [virtualHost] });
    routeOrigins[name] = from;
  }
  if (anyHostRouteConfig !== undefined) addListener(ANY_HOST_LISTENER, anyHostRouteConfig, origins.routeConfiguration?.[anyHostRouteConfig] ?? []);

  if (listeners.length === 0) return { resources, origins, skipped };
  const byName = (a: { name?: string }, b: { name?: string }): number => compareStrings(a.name ?? '', b.name ?? '');
  return {
    resources: {
      ...resources,
      listeners: [...resources.listeners, ...listeners].sort(byName),
      routeConfigurations: [...resources.routeConfigurations, ...routeConfigurations].sort(byName),
    },
    origins: { ...origins, listener: listenerOrigins, routeConfiguration: routeOrigins },
    skipped: skipped.sort(),
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

/** A name a client can put in `xds:///NAME`: no wildcard, no port. */
function isDialableHost(domain: string): boolean {
  return domain !== '' && !domain.includes('*') && !domain.includes(':');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
