// The gRPC route tables: one per dialable host, holding the virtual host a client dialing that name
// would pick from the Envoy tables (exact names only: a client dials a name), and the any-host
// table, the Envoy table holding the catch-all `*` virtual host, or its copy when routes had to be
// left out of it. gRPC speaks only SotW, where a changed RouteConfiguration is sent whole: per
// host, an edit elsewhere sends a client nothing, and a large fleet's table never meets gRPC's
// 4 MiB message limit.
import type { Listener, RouteConfiguration, VirtualHost } from '../../../../xds-server/src/index.js';
import { apiListener } from './api-listener.js';
import { Memo } from '../../util/memo.js';
import { withoutFilterConfigs } from './filter-configs.js';
import { ANY_HOST_ROUTE_CONFIGURATION, hostRouteConfigurationName } from './names.js';
import { LeftOutRoutes, virtualHostForGrpc } from './virtual-host.js';

export interface HostEntry {
  /** The Envoy table and the virtual host in it that serve the host. */
  routeConfig: RouteConfiguration;
  virtualHost: VirtualHost;
  /** The table's own fields, as its host tables have them (tableFields). */
  fields: TableFields;
  /** Where the virtual host is: the table's place in the tables given, and its own in the table. */
  table: number;
  slot: number;
}

/**
 * Per dialable host, where a client dialing it is served from (the first table that names it, in
 * the order given), and the first table with a catch-all `*` virtual host.
 */
export function hostEntries(tables: readonly RouteConfiguration[]): { hosts: Map<string, HostEntry>; anyHost: RouteConfiguration | undefined } {
  const hosts = new Map<string, HostEntry>();
  let anyHost: RouteConfiguration | undefined;
  tables.forEach((routeConfig, table) => {
    const fields = tableFields(routeConfig);
    (routeConfig.virtual_hosts ?? []).forEach((virtualHost, slot) => {
      for (const domain of virtualHost.domains ?? []) {
        if (domain === '*') anyHost ??= routeConfig;
        else if (isDialableHost(domain) && !hosts.has(domain)) hosts.set(domain, { routeConfig, virtualHost, fields, table, slot });
      }
    });
  });
  return { hosts, anyHost };
}

/** What a client dialing one host gets: its API listener, and its table (its virtual host alone). */
export interface HostView {
  listener: Listener;
  table: RouteConfiguration;
  /** Routes of the virtual host left out of the table. */
  leftOut: LeftOutRoutes;
}

/**
 * The view of one host. Per change, a large fleet asks for tens of thousands of these and all but
 * a few are as before: the same Envoy virtual host (the envoy stage hands an unchanged one over
 * again), in a table of the same name and fields, made by the same objects, is the very same view.
 */
export function hostView(host: string, { routeConfig, virtualHost, fields }: HostEntry, origins: string[]): HostView {
  const tableName = routeConfig.name ?? '';
  const tableConfigs = routeConfig.typed_per_filter_config;
  const remembered = HOST_VIEWS.get(virtualHost);
  if (remembered && remembered.host === host && remembered.fields === fields && remembered.tableName === tableName && remembered.tableConfigs === tableConfigs && remembered.origins === origins) return remembered.view;
  const leftOut = new LeftOutRoutes();
  const name = hostRouteConfigurationName(host);
  const table = { ...fields, name, virtual_hosts: [virtualHostForGrpc(routeConfig, virtualHost, origins, leftOut)] };
  // Kept for every host of a large fleet: nearly all leave nothing out and share one empty list.
  const view = { listener: apiListener(host, name), table, leftOut: leftOut.list().length > 0 ? leftOut : NOTHING_LEFT_OUT };
  HOST_VIEWS.set(virtualHost, { host, fields, tableName, tableConfigs, origins, view });
  return view;
}

const NOTHING_LEFT_OUT = new LeftOutRoutes();

const HOST_VIEWS = new WeakMap<VirtualHost, { host: string; fields: TableFields; tableName: string; tableConfigs: RouteConfiguration['typed_per_filter_config']; origins: string[]; view: HostView }>();

export type TableFields = Omit<RouteConfiguration, 'virtual_hosts'>;

/**
 * An Envoy table's own fields, as every host table made from it has them: worked out once per
 * table, and the very same object while their values stay the same (they come from constants), so
 * that host views can tell them unchanged by identity.
 */
export function tableFields(routeConfig: RouteConfiguration): TableFields {
  const fields = TABLE_FIELDS.get(routeConfig);
  const name = routeConfig.name ?? '';
  const last = LAST_FIELDS.get(name);
  if (last !== undefined && sameFields(last, fields)) return last;
  LAST_FIELDS.set(name, fields);
  return fields;
}

const TABLE_FIELDS = new Memo((routeConfig: RouteConfiguration): TableFields => {
  const fields: RouteConfiguration = { ...withoutFilterConfigs(routeConfig) };
  delete fields.virtual_hosts;
  return fields;
});

/** The last fields per table name: a handful of names (the listeners' tables), shared by fleets. */
const LAST_FIELDS = new Map<string, TableFields>();

/** A table's own fields (name, headers to add) come from constants: identical values, or not. */
function sameFields(a: TableFields, b: TableFields): boolean {
  const keys = Object.keys(a) as (keyof typeof a)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * The table the any-host listener uses: the Envoy table itself while gRPC can take it whole (it
 * ignores a table's own per-filter configs; `copy` absent), else a copy without what it cannot use.
 */
export function anyHostTable(table: RouteConfiguration, originsOf: (virtualHost: VirtualHost) => string[], leftOut: LeftOutRoutes): { name: string; copy?: RouteConfiguration } {
  const virtualHosts = table.virtual_hosts ?? [];
  const filtered = virtualHosts.map((virtualHost) => virtualHostForGrpc(table, virtualHost, originsOf(virtualHost), leftOut));
  if (filtered.every((virtualHost, index) => virtualHost === virtualHosts[index])) return { name: table.name ?? '' };
  return { name: ANY_HOST_ROUTE_CONFIGURATION, copy: { ...withoutFilterConfigs(table), name: ANY_HOST_ROUTE_CONFIGURATION, virtual_hosts: filtered } };
}

/** A name a client can put in `xds:///NAME`: no wildcard, no port. */
function isDialableHost(domain: string): boolean {
  return domain !== '' && !domain.includes('*') && !domain.includes(':');
}
