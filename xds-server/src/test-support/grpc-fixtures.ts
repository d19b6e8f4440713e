// A gRPC view (GrpcView) for the hand-written fleets of fleet-fixtures.ts, in the shape the
// operator's envoy stage gives publishFleet (operator/src/envoy/grpc-view/, which xds-server
// cannot import): one API listener per exact host on a table of its own virtual host
// (`grpc:HOST`), and `portico:any-host` on the whole table. Nothing is left out: the fixtures'
// routes are ones gRPC can use.
import { ANY_HOST_LISTENER } from '../bootstrap/grpc-bootstrap.js';
import { withGrpcView } from '../grpc/grpc-view.js';
import { packAny } from '../protos/any.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE } from '../protos/type-urls.js';
import type { FleetResources, FleetView, GrpcView, Listener, ResourceOrigins, RouteConfiguration } from '../resources.js';
import { virtualHostResourceName } from '../cache/virtual-host-discovery.js';
import { ROUTE_CONFIG } from './fleet-fixtures.js';

export function grpcViewOf(resources: FleetResources, origins: ResourceOrigins = {}): GrpcView {
  const table = resources.routeConfigurations.find((rc) => rc.name === ROUTE_CONFIG);
  const listeners: Listener[] = [];
  const routeConfigurations: RouteConfiguration[] = [];
  const listenerOrigins: Record<string, string[]> = {};
  const routeOrigins: Record<string, string[]> = {};
  for (const virtualHost of table?.virtual_hosts ?? []) {
    const from = origins.virtualHost?.[virtualHostResourceName(ROUTE_CONFIG, virtualHost.name ?? '')] ?? [];
    for (const host of virtualHost.domains ?? []) {
      if (host === '*' || host.includes('*') || host.includes(':')) continue;
      listeners.push(apiListener(host, `grpc:${host}`));
      routeConfigurations.push({ ...table, name: `grpc:${host}`, virtual_hosts: [virtualHost] });
      listenerOrigins[host] = routeOrigins[`grpc:${host}`] = from;
    }
  }
  if (table?.virtual_hosts?.some((vh) => vh.domains?.includes('*'))) {
    listeners.push(apiListener(ANY_HOST_LISTENER, ROUTE_CONFIG));
    listenerOrigins[ANY_HOST_LISTENER] = origins.routeConfiguration?.[ROUTE_CONFIG] ?? [];
  }
  const byName = (a: { name?: string }, b: { name?: string }): number => ((a.name ?? '') < (b.name ?? '') ? -1 : 1);
  return { resources: { listeners: listeners.sort(byName), routeConfigurations: routeConfigurations.sort(byName) }, origins: { listener: listenerOrigins, routeConfiguration: routeOrigins }, skipped: [], leftOut: [] };
}

/** The SotW view the server serves when published with grpcViewOf's view. */
export function sotwView(resources: FleetResources, origins: ResourceOrigins = {}): FleetView {
  return withGrpcView({ resources, origins }, grpcViewOf(resources, origins));
}

function apiListener(name: string, routeConfigName: string): Listener {
  const hcm = { stat_prefix: name, rds: { route_config_name: routeConfigName, config_source: { ads: {} } }, http_filters: [{ name: 'router', typed_config: { '@type': ROUTER_TYPE } }] };
  return { name, api_listener: { api_listener: packAny(HTTP_CONNECTION_MANAGER_TYPE, hcm) } };
}
