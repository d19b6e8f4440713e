// The view of a fleet that Delta clients get: every RouteConfiguration split with Virtual Host
// Discovery (VHDS). The RouteConfiguration keeps its name and settings but no virtual hosts; each
// virtual host becomes a resource of its own named `<route configuration>/<virtual host>`. Envoy
// subscribes to the namespace `<route configuration>` and then receives only the virtual hosts
// that change, so editing one Ingress sends about the size of its host, not the whole route table.
// VHDS exists only in the Delta protocol; SotW clients (Envoy in SotW mode, proxyless gRPC) keep
// getting the whole RouteConfiguration. Both views come from the same translation.
import type { FleetResources, FleetView, ResourceOrigins, VirtualHost } from '../resources.js';
import { originsOverlaid } from '../origins-when-read.js';
import { sortedByName } from '../util/sorted-by-name.js';
import type { SortedByName } from '../util/sorted-by-name.js';

/** The VHDS resource name of a virtual host: route configuration names may hold '/', hosts never. */
export function virtualHostResourceName(routeConfigurationName: string, virtualHostName: string): string {
  return `${routeConfigurationName}/${virtualHostName}`;
}

/** The route configuration (VHDS namespace) a virtual host resource belongs to. */
export function virtualHostNamespace(resourceName: string): string | undefined {
  const slash = resourceName.lastIndexOf('/');
  return slash < 0 ? undefined : resourceName.slice(0, slash);
}

// A virtual host the operator hands over again as the very same object, in the same table, gets
// the very same renamed copy, so the cache recognises it without comparing it.
const copies = new WeakMap<VirtualHost, { table: string; copy: VirtualHost }>();

function renamed(host: VirtualHost, table: string): VirtualHost {
  const known = copies.get(host);
  if (known?.table === table) return known.copy;
  const copy = { ...host, name: virtualHostResourceName(table, host.name ?? '') };
  copies.set(host, { table, copy });
  return copy;
}

/** `previous`: the fleet's Delta view from the last publish, which this one is made from where it can. */
export function withVirtualHostDiscovery(resources: FleetResources, origins: ResourceOrigins, previous?: FleetView): FleetView {
  const routeConfigurations = resources.routeConfigurations.map(({ virtual_hosts: _hosts, ...rest }) => ({ ...rest, vhds: { config_source: { ads: {}, resource_api_version: 'V3' as const } } }));
  const tables = resources.routeConfigurations;
  // Names come from the tables too: a renamed table renames all of its hosts.
  const tableNames = tables.map((table) => table.name ?? '').join('\n');
  const before = previous && HOSTS.get(previous);
  const virtualHosts = sortedByName(tables.map((table) => table.virtual_hosts ?? []), (host, t) => renamed(host, tables[t]?.name ?? ''), before?.tableNames === tableNames ? before.virtualHosts : undefined);
  const view: FleetView = {
    resources: { ...resources, routeConfigurations, virtualHosts: virtualHosts.sorted as VirtualHost[] },
    origins: originsOverlaid(origins, { virtualHost: () => resourceOrigins(resources, origins) }),
  };
  HOSTS.set(view, { tableNames, virtualHosts });
  return view;
}

/** How a view's virtual hosts were made, for the next publish of the fleet (`previous`). */
const HOSTS = new WeakMap<FleetView, { tableNames: string; virtualHosts: SortedByName<VirtualHost, VirtualHost> }>();

/** The operator may say which objects made each virtual host; else the whole table's origins. */
function resourceOrigins(resources: FleetResources, origins: ResourceOrigins): Record<string, string[]> {
  const byName: Record<string, string[]> = { ...(origins.virtualHost ?? {}) };
  for (const { name: table = '', virtual_hosts: hosts } of resources.routeConfigurations) {
    for (const host of hosts ?? []) byName[virtualHostResourceName(table, host.name ?? '')] ??= origins.routeConfiguration?.[table] ?? [];
  }
  return byName;
}
