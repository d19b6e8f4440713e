// The gRPC view of a fleet: what proxyless gRPC clients (grpc-js-xds and gRPC in other languages)
// get besides what Envoy gets. They resolve `xds:///HOST` by asking for a Listener named HOST
// whose api_listener holds an HttpConnectionManager, follow its RDS name, pick a virtual host by
// the call's authority, and route as Envoy would. Built from the IR fleet (which route tables the
// Envoy listeners use) and the Envoy resources the envoy stage made from it, so both kinds of client
// route by one translation:
// - one API listener per host named in those tables, on a table of that host alone (`grpc:HOST`);
// - one named ANY_HOST_LISTENER on the table holding the catch-all `*` virtual host: a client whose
//   bootstrap uses it as client_default_listener_resource_name_template routes every authority,
//   unknown hosts included, exactly as Envoy does (`grpc:*` when routes had to be left out).
// Routes gRPC cannot use or cannot guard are left out (virtual-host.ts) and returned as leftOut
// with the objects that made them. The xDS server adds this view to the SotW view only and keeps
// API listeners out of wildcard (Envoy) subscriptions (EncodedResource.inWildcard).
import type { FleetResources, GrpcView, Listener, ResourceOrigins, RouteConfiguration, VirtualHost } from '../../../../xds-server/src/index.js';
import { originsWhenRead, virtualHostResourceName } from '../../../../xds-server/src/index.js';
import type { IrFleet } from '../../ir/types.js';
import { compareStrings } from '../../util/compare.js';
import { apiListener } from './api-listener.js';
import { virtualHostOrigins } from '../fleet-resources.js';
import { irVirtualHostOf } from '../route-configuration.js';
import { anyHostTable, hostEntries, hostView } from './host-tables.js';
import { ANY_HOST_LISTENER } from './names.js';
import { LeftOutRoutes } from './virtual-host.js';

export { accessControlIn } from './access-control.js';
export { apiListener } from './api-listener.js';
export { ANY_HOST_LISTENER, ANY_HOST_ROUTE_CONFIGURATION, hostRouteConfigurationName } from './names.js';
export { grpcRouteProblem } from './route-support.js';

/** The gRPC view of an IR fleet, from the Envoy resources toFleetResources made of it. */
export function grpcView(fleet: IrFleet, built: { resources: FleetResources; origins: ResourceOrigins }): GrpcView {
  // Each Envoy virtual host's origins are its IR host's: no record of every host is built for it.
  const hostOrigins = (tableName: string, virtualHost: VirtualHost): string[] => {
    const made = irVirtualHostOf(virtualHost);
    return made ? virtualHostOrigins(made) : recordedOrigins(built.origins)(tableName, virtualHost);
  };
  return grpcViewOf(routeTablesByPreference(fleet), built.resources, built.origins, hostOrigins);
}

/**
 * The route tables the Envoy listeners use, HTTPS first. A proxyless client reaches backends
 * directly, so the plain-HTTP table's redirects to HTTPS (ingress-nginx's ssl-redirect) mean
 * nothing to it; the HTTPS table has the same routes without them.
 */
export function routeTablesByPreference(fleet: IrFleet): string[] {
  const https = fleet.https;
  const tls = https && (https.chains.length > 0 || https.defaultCertificate !== undefined) ? [https.listener.name] : [];
  return [...new Set([...tls, fleet.httpListener.name])];
}

/**
 * The gRPC view of Envoy resources whose listeners use `tableNames` (in order of preference). A
 * host or the any-host name a Listener of `resources` already has gets no API listener (skipped).
 * `hostOrigins`: the objects that made a virtual host of a table (by default, from `origins`).
 */
export function grpcViewOf(tableNames: readonly string[], resources: FleetResources, origins: ResourceOrigins, hostOrigins = recordedOrigins(origins)): GrpcView {
  const routeConfigByName = new Map(resources.routeConfigurations.map((rc) => [rc.name ?? '', rc]));
  const taken = new Set(resources.listeners.map((listener) => listener.name ?? ''));
  const tables = tableNames.flatMap((name) => routeConfigByName.get(name) ?? []);
  const { hosts, anyHost } = hostEntries(tables);
  const leftOut = new LeftOutRoutes();
  const listeners: Listener[] = [];
  const routeConfigurations: RouteConfiguration[] = [];
  const skipped: string[] = [];
  /** Origins per listener and table, as records only when read: [listener, table, origins]. */
  const named: [string, string | undefined, () => string[]][] = [];
  for (const [host, entry] of hosts) {
    if (taken.has(host)) {
      skipped.push(host);
      continue;
    }
    const from = hostOrigins(entry.routeConfig.name ?? '', entry.virtualHost);
    const view = hostView(host, entry, from);
    leftOut.addAll(view.leftOut);
    listeners.push(view.listener);
    routeConfigurations.push(view.table);
    named.push([host, view.table.name, () => from]);
  }
  if (anyHost) {
    const tableName = anyHost.name ?? '';
    if (taken.has(ANY_HOST_LISTENER)) skipped.push(ANY_HOST_LISTENER);
    else {
      const table = anyHostTable(anyHost, (virtualHost) => hostOrigins(tableName, virtualHost), leftOut);
      listeners.push(apiListener(ANY_HOST_LISTENER, table.name));
      if (table.copy) routeConfigurations.push(table.copy);
      named.push([ANY_HOST_LISTENER, table.copy ? table.name : undefined, () => origins.routeConfiguration?.[tableName] ?? []]);
    }
  }

  const byName = (a: { name?: string }, b: { name?: string }): number => compareStrings(a.name ?? '', b.name ?? '');
  return {
    resources: { listeners: listeners.sort(byName), routeConfigurations: routeConfigurations.sort(byName) },
    origins: listeners.length === 0 ? {} : originsWhenRead({
      listener: () => Object.fromEntries(named.map(([listener, , from]) => [listener, from()])),
      routeConfiguration: () => Object.fromEntries(named.flatMap(([, table, from]) => (table === undefined ? [] : [[table, from()]]))),
    }),
    skipped: skipped.sort(compareStrings),
    leftOut: leftOut.list(),
  };
}

/** The Ingresses of one virtual host when the operator said which made each, else its table's. */
function recordedOrigins(origins: ResourceOrigins): (tableName: string, virtualHost: VirtualHost) => string[] {
  return (tableName, virtualHost) => origins.virtualHost?.[virtualHostResourceName(tableName, virtualHost.name ?? '')] ?? origins.routeConfiguration?.[tableName] ?? [];
}
