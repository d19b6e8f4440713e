// The gRPC view of a fleet after an edit, from the view before it. An edit of one Ingress at
// 10,000 hosts changes one or two virtual hosts of the Envoy tables and hands every other one over
// again as the very same object in the same place; building the view anew still walked every host
// (a map of the hosts, a look-up and a listener and table per host, two sorts). Here one pass of
// identity checks finds the virtual hosts that changed, and only their hosts' tables are made
// again, in the places they had. Anything beyond that common case (a host or domain that comes or
// goes, a table's own fields, routes left out before or now, an any-host table that is a copy or
// would become one) is built anew by grpcViewOf.
import type { FleetResources, GrpcView, ResourceOrigins, RouteConfiguration, VirtualHost } from '../../../../xds-server/src/index.js';
import { originsWhenRead } from '../../../../xds-server/src/index.js';
import { hostView, tableFields } from './host-tables.js';
import type { TableFields } from './host-tables.js';
import { ANY_HOST_LISTENER, hostRouteConfigurationName } from './names.js';
import { virtualHostForGrpc, LeftOutRoutes } from './virtual-host.js';
import { sameItems } from '../../util/compare.js';

/** What a view was built from, and where each host's table is in it. */
export interface ViewLayout {
  tableNames: readonly string[];
  /** The Envoy tables the view was made of (in order of preference), and their own fields. */
  tables: readonly RouteConfiguration[];
  fields: readonly TableFields[];
  /** The names of the fleet's own listeners (a host named like one gets no API listener). */
  taken: string;
  /** Per host with a table of its own, in view order of tables. */
  hosts: readonly { host: string; table: number; slot: number }[];
  /** Per host (same order): the objects that made it. */
  origins: readonly string[][];
  /** Per host (same order): where its table is in view.resources.routeConfigurations. */
  positions: readonly number[];
  /** Per table, per virtual host: the hosts (indexes into `hosts`) served from it. */
  slotHosts: readonly (readonly number[] | undefined)[][];
  /** The any-host listener, when there is one: its Envoy table, whether it uses a copy of it, its origins. */
  anyHost: { table: number; copy: string | undefined; origins: () => string[] } | undefined;
}

const LAYOUTS = new WeakMap<GrpcView, ViewLayout>();

export function rememberLayout(view: GrpcView, layout: ViewLayout): GrpcView {
  LAYOUTS.set(view, layout);
  return view;
}

/** The fleet listeners' names, as ViewLayout.taken has them. */
export function takenNames(resources: FleetResources): string {
  return resources.listeners.map((listener) => listener.name ?? '').join('\n');
}

/**
 * The view `previous` would be if built anew from these inputs, when only virtual hosts changed in
 * place (same name and domains) and no route is left out before or after; else undefined.
 */
export function updatedView(previous: GrpcView, tableNames: readonly string[], resources: FleetResources, origins: ResourceOrigins, hostOrigins: (tableName: string, virtualHost: VirtualHost) => string[]): GrpcView | undefined {
  const layout = LAYOUTS.get(previous);
  if (!layout || previous.leftOut.length > 0 || tableNames.join('\n') !== layout.tableNames.join('\n') || takenNames(resources) !== layout.taken) return undefined;
  const byName = new Map(resources.routeConfigurations.map((rc) => [rc.name ?? '', rc]));
  const tables = tableNames.flatMap((name) => byName.get(name) ?? []);
  if (tables.length !== layout.tables.length) return undefined;
  /** [table, slot] of every virtual host that is not the very object it was. */
  const changed: [number, number][] = [];
  for (let t = 0; t < tables.length; t++) {
    const table = tables[t] as RouteConfiguration;
    const before = layout.tables[t] as RouteConfiguration;
    if (tableFields(table) !== layout.fields[t] || table.typed_per_filter_config !== before.typed_per_filter_config) return undefined;
    const hosts = table.virtual_hosts ?? [];
    const hostsBefore = before.virtual_hosts ?? [];
    if (hosts.length !== hostsBefore.length) return undefined;
    for (let slot = 0; slot < hosts.length; slot++) {
      const now = hosts[slot] as VirtualHost;
      const then = hostsBefore[slot] as VirtualHost;
      if (now === then) continue;
      if (now.name !== then.name || !sameItems(now.domains ?? [], then.domains ?? [])) return undefined;
      changed.push([t, slot]);
    }
  }
  let routeConfigurations = previous.resources.routeConfigurations;
  let hostOriginsNow = layout.origins;
  for (const [t, slot] of changed) {
    const table = tables[t] as RouteConfiguration;
    const virtualHost = (table.virtual_hosts ?? [])[slot] as VirtualHost;
    const tableName = table.name ?? '';
    if (t === layout.anyHost?.table) {
      // The any-host listener uses this table as it is: only while gRPC can take this host whole.
      if (layout.anyHost.copy !== undefined) return undefined;
      const left = new LeftOutRoutes();
      if (virtualHostForGrpc(table, virtualHost, hostOrigins(tableName, virtualHost), left) !== virtualHost || left.list().length > 0) return undefined;
    }
    for (const index of layout.slotHosts[t]?.[slot] ?? []) {
      const { host } = layout.hosts[index] as ViewLayout['hosts'][number];
      const from = hostOrigins(tableName, virtualHost);
      const view = hostView(host, { routeConfig: table, virtualHost, fields: layout.fields[t] as TableFields, table: t, slot }, from);
      if (view.leftOut.list().length > 0) return undefined;
      if (routeConfigurations === previous.resources.routeConfigurations) routeConfigurations = [...routeConfigurations];
      if (hostOriginsNow === layout.origins) hostOriginsNow = [...layout.origins];
      (routeConfigurations as RouteConfiguration[])[layout.positions[index] as number] = view.table;
      (hostOriginsNow as string[][])[index] = from;
    }
  }
  // The any-host table's origins are the whole table's: read from this edit's records.
  const anyHostTableName = layout.anyHost && (tables[layout.anyHost.table]?.name ?? '');
  const anyHost = layout.anyHost && { ...layout.anyHost, origins: () => origins.routeConfiguration?.[anyHostTableName ?? ''] ?? [] };
  const next: ViewLayout = { ...layout, tables, origins: hostOriginsNow, anyHost };
  const listeners = previous.resources.listeners;
  return rememberLayout({
    resources: { listeners, routeConfigurations },
    origins: viewOrigins(next, previous.resources.listeners.length),
    skipped: previous.skipped,
    leftOut: [],
  }, next);
}

/** The view's origins records, made when first read. */
export function viewOrigins(layout: ViewLayout, listenerCount: number): ResourceOrigins {
  if (listenerCount === 0) return {};
  return originsWhenRead({
    listener: () => {
      const byListener: Record<string, string[]> = {};
      layout.hosts.forEach(({ host }, i) => (byListener[host] = layout.origins[i] as string[]));
      if (layout.anyHost) byListener[ANY_HOST_LISTENER] = layout.anyHost.origins();
      return byListener;
    },
    routeConfiguration: () => {
      const byTable: Record<string, string[]> = {};
      layout.hosts.forEach(({ host }, i) => (byTable[hostRouteConfigurationName(host)] = layout.origins[i] as string[]));
      if (layout.anyHost?.copy !== undefined) byTable[layout.anyHost.copy] = layout.anyHost.origins();
      return byTable;
    },
  });
}
