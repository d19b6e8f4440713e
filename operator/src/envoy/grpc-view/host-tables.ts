// The gRPC route tables: one per dialable host, holding the virtual host a client dialing that name
// would pick from the Envoy tables (exact names only: a client dials a name), and the any-host
// table, the Envoy table holding the catch-all `*` virtual host, or its copy when routes had to be
// left out of it. gRPC speaks only SotW, where a changed RouteConfiguration is sent whole: per
// host, an edit elsewhere sends a client nothing, and a large fleet's table never meets gRPC's
// 4 MiB message limit.
import type { RouteConfiguration, VirtualHost } from '../../../../xds-server/src/index.js';
import { Memo } from '../../util/memo.js';
import { withoutFilterConfigs } from './filter-configs.js';
import { ANY_HOST_ROUTE_CONFIGURATION, hostRouteConfigurationName } from './names.js';
import { virtualHostForGrpc } from './virtual-host.js';
import type { LeftOutRoutes } from './virtual-host.js';

export interface HostEntry {
  /** The Envoy table and the virtual host in it that serve the host. */
  routeConfig: RouteConfiguration;
  virtualHost: VirtualHost;
}

/**
 * Per dialable host, where a client dialing it is served from (the first table that names it, in
 * the order given), and the first table with a catch-all `*` virtual host.
 */
export function hostEntries(tables: readonly RouteConfiguration[]): { hosts: Map<string, HostEntry>; anyHost: RouteConfiguration | undefined } {
  const hosts = new Map<string, HostEntry>();
  let anyHost: RouteConfiguration | undefined;
  for (const routeConfig of tables) {
    for (const virtualHost of routeConfig.virtual_hosts ?? []) {
      for (const domain of virtualHost.domains ?? []) {
        if (domain === '*') anyHost ??= routeConfig;
        else if (isDialableHost(domain) && !hosts.has(domain)) hosts.set(domain, { routeConfig, virtualHost });
      }
    }
  }
  return { hosts, anyHost };
}

/** The table of one host: its virtual host alone, as gRPC clients get it. */
export function hostTable(host: string, { routeConfig, virtualHost }: HostEntry, origins: string[], leftOut: LeftOutRoutes): RouteConfiguration {
  const view = virtualHostForGrpc(routeConfig, virtualHost, origins, leftOut);
  const fields = TABLE_FIELDS.get(routeConfig);
  // The same view in a table with the same fields is the very same table as last time.
  const remembered = TABLES.get(view);
  if (remembered?.host === host && (remembered.fields === fields || sameFields(remembered.fields, fields))) return remembered.table;
  const table = { ...fields, name: hostRouteConfigurationName(host), virtual_hosts: [view] };
  TABLES.set(view, { host, fields, table });
  return table;
}

const TABLES = new WeakMap<VirtualHost, { host: string; fields: Omit<RouteConfiguration, 'virtual_hosts'>; table: RouteConfiguration }>();

/** An Envoy table's own fields, as every host table made from it has them: once per table, not per host. */
const TABLE_FIELDS = new Memo((routeConfig: RouteConfiguration): Omit<RouteConfiguration, 'virtual_hosts'> => {
  const fields: RouteConfiguration = { ...withoutFilterConfigs(routeConfig) };
  delete fields.virtual_hosts;
  return fields;
});

/** A table's own fields (name, headers to add) come from constants: identical values, or not. */
function sameFields(a: Omit<RouteConfiguration, 'virtual_hosts'>, b: Omit<RouteConfiguration, 'virtual_hosts'>): boolean {
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
