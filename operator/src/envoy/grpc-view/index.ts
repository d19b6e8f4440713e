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
import { virtualHostResourceName } from '../../../../xds-server/src/index.js';
import type { IrFleet } from '../../ir/types.js';
import { compareStrings } from '../../util/compare.js';
import { apiListener } from './api-listener.js';
import { virtualHostOrigins } from '../fleet-resources.js';
import { irVirtualHostOf } from '../route-configuration.js';
import { anyHostTable, hostEntries, hostView, tableFields } from './host-tables.js';
import { rememberLayout, takenNames, updatedView, viewOrigins } from './view-update.js';
import type { ViewLayout } from './view-update.js';
import { ANY_HOST_LISTENER, hostRouteConfigurationName } from './names.js';
import { LeftOutRoutes } from './virtual-host.js';

export { accessControlIn } from './access-control.js';
export { apiListener } from './api-listener.js';
export { ANY_HOST_LISTENER, ANY_HOST_ROUTE_CONFIGURATION, hostRouteConfigurationName } from './names.js';
export { grpcRouteProblem } from './route-support.js';

/**
 * The gRPC view of an IR fleet, from the Envoy resources toFleetResources made of it. `previous`:
 * the fleet's view before an edit, which the new one is made from when only virtual hosts changed.
 */
export function grpcView(fleet: IrFleet, built: { resources: FleetResources; origins: ResourceOrigins }, previous?: GrpcView): GrpcView {
  // Each Envoy virtual host's origins are its IR host's: no record of every host is built for it.
  const hostOrigins = (tableName: string, virtualHost: VirtualHost): string[] => {
    const made = irVirtualHostOf(virtualHost);
    return made ? virtualHostOrigins(made) : recordedOrigins(built.origins)(tableName, virtualHost);
  };
  const tableNames = routeTablesByPreference(fleet);
  return (previous && updatedView(previous, tableNames, built.resources, built.origins, hostOrigins)) ?? grpcViewOf(tableNames, built.resources, built.origins, hostOrigins);
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
  const served: ViewLayout['hosts'][number][] = [];
  const hostOriginsList: string[][] = [];
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
    served.push({ host, table: entry.table, slot: entry.slot });
    hostOriginsList.push(from);
  }
  let anyHostLayout: ViewLayout['anyHost'];
  if (anyHost) {
    const tableName = anyHost.name ?? '';
    if (taken.has(ANY_HOST_LISTENER)) skipped.push(ANY_HOST_LISTENER);
    else {
      const table = anyHostTable(anyHost, (virtualHost) => hostOrigins(tableName, virtualHost), leftOut);
      listeners.push(apiListener(ANY_HOST_LISTENER, table.name));
      if (table.copy) routeConfigurations.push(table.copy);
      anyHostLayout = { table: tables.indexOf(anyHost), copy: table.copy ? table.name : undefined, origins: () => origins.routeConfiguration?.[tableName] ?? [] };
    }
  }

  const byName = (a: { name?: string }, b: { name?: string }): number => compareStrings(a.name ?? '', b.name ?? '');
  listeners.sort(byName);
  routeConfigurations.sort(byName);
  const position = new Map(routeConfigurations.map((table, index) => [table.name ?? '', index]));
  const slotHosts: number[][][] = tables.map(() => []);
  served.forEach(({ table, slot }, index) => ((slotHosts[table] as number[][])[slot] ??= []).push(index));
  const layout: ViewLayout = {
    tableNames,
    tables,
    fields: tables.map(tableFields),
    taken: takenNames(resources),
    hosts: served,
    origins: hostOriginsList,
    positions: served.map(({ host }) => position.get(hostRouteConfigurationName(host)) as number),
    slotHosts,
    anyHost: anyHostLayout,
  };
  return rememberLayout({
    resources: { listeners, routeConfigurations },
    origins: viewOrigins(layout, listeners.length),
    skipped: skipped.sort(compareStrings),
    leftOut: leftOut.list(),
  }, layout);
}

/** The Ingresses of one virtual host when the operator said which made each, else its table's. */
function recordedOrigins(origins: ResourceOrigins): (tableName: string, virtualHost: VirtualHost) => string[] {
  return (tableName, virtualHost) => origins.virtualHost?.[virtualHostResourceName(tableName, virtualHost.name ?? '')] ?? origins.routeConfiguration?.[tableName] ?? [];
}
