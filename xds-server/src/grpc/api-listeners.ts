// Proxyless gRPC clients (grpc-js-xds and gRPC in other languages) resolve `xds:///HOST` by
// asking for a Listener named HOST whose api_listener holds an HttpConnectionManager; they then
// follow its RDS name, pick a virtual host by the call's authority, and route as Envoy would.
// This adds such listeners to a fleet, pointing at the very RouteConfigurations the Envoy
// listeners use, so both kinds of client share one routing table:
// - one per host named in those RouteConfigurations (exact names only: a client dials a name);
// - one named ANY_HOST_LISTENER for the RouteConfiguration holding the catch-all `*` virtual
//   host: a client whose bootstrap uses it as client_default_listener_resource_name_template
//   routes every authority, unknown hosts included, exactly as Envoy does.
// The server keeps these out of wildcard (Envoy) subscriptions; see EncodedResource.inWildcard.
import type { HttpConnectionManager } from '../generated/envoy/extensions/filters/network/http_connection_manager/v3/HttpConnectionManager.js';
import { packAny } from '../protos/any.js';
import type { FleetResources, Listener, ResourceOrigins, RouteConfiguration } from '../resources.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE } from '../protos/type-urls.js';
import { compareStrings } from '../util/compare-strings.js';

export const ANY_HOST_LISTENER = 'portico:any-host';


export interface GrpcApiListenersResult {
  resources: FleetResources;
  origins: ResourceOrigins;
  /** Hosts whose name is already taken by another Listener: no API listener for them. */
  skipped: string[];
}

export function withGrpcApiListeners(resources: FleetResources, origins: ResourceOrigins): GrpcApiListenersResult {
  const routeConfigByName = new Map(resources.routeConfigurations.map((rc) => [rc.name ?? '', rc]));
  const taken = new Set(resources.listeners.map((listener) => listener.name ?? ''));
  const routeConfigForHost = new Map<string, string>();
  let anyHostRouteConfig: string | undefined;

  for (const routeConfigName of routeConfigNamesByPreference(resources.listeners)) {
    const routeConfig = routeConfigByName.get(routeConfigName);
    if (!routeConfig) continue;
    for (const domain of domainsOf(routeConfig)) {
      if (domain === '*') anyHostRouteConfig ??= routeConfigName;
      else if (isDialableHost(domain) && !routeConfigForHost.has(domain)) routeConfigForHost.set(domain, routeConfigName);
    }
  }

  const added: Listener[] = [];
  const skipped: string[] = [];
  const listenerOrigins: Record<string, string[]> = { ...(origins.listener ?? {}) };
  const addListener = (name: string, routeConfigName: string): void => {
    if (taken.has(name)) {
      skipped.push(name);
      return;
    }
    added.push(apiListener(name, routeConfigName));
    listenerOrigins[name] = origins.routeConfiguration?.[routeConfigName] ?? [];
  };
  for (const [host, routeConfigName] of routeConfigForHost) addListener(host, routeConfigName);
  if (anyHostRouteConfig !== undefined) addListener(ANY_HOST_LISTENER, anyHostRouteConfig);

  if (added.length === 0) return { resources, origins, skipped };
  const listeners = [...resources.listeners, ...added].sort((a, b) => compareStrings(a.name ?? '', b.name ?? ''));
  return { resources: { ...resources, listeners }, origins: { ...origins, listener: listenerOrigins }, skipped: skipped.sort() };
}

export function apiListener(name: string, routeConfigName: string): Listener {
  const hcm: HttpConnectionManager = {
    rds: { route_config_name: routeConfigName, config_source: { ads: {} } },
    http_filters: [{ name: 'router', typed_config: { '@type': ROUTER_TYPE } }],
  };
  return { name, api_listener: { api_listener: packAny(HTTP_CONNECTION_MANAGER_TYPE, hcm) } };
}

/**
 * RDS names used by the listeners' HttpConnectionManagers: plain-text filter chains first, since a
 * proxyless client reaches backends directly, as a plain-HTTP client of Envoy's would.
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
  return [...new Set([...plain, ...tls])];
}

function rdsNameOf(typedConfig: unknown): string | undefined {
  if (!isRecord(typedConfig) || typedConfig['@type'] !== HTTP_CONNECTION_MANAGER_TYPE) return undefined;
  const rds = typedConfig['rds'];
  if (!isRecord(rds)) return undefined;
  const name = rds['route_config_name'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function domainsOf(routeConfig: RouteConfiguration): string[] {
  return (routeConfig.virtual_hosts ?? []).flatMap((vh) => vh.domains ?? []);
}

/** A name a client can put in `xds:///NAME`: no wildcard, no port. */
function isDialableHost(domain: string): boolean {
  return domain !== '' && !domain.includes('*') && !domain.includes(':');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
