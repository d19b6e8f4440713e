// Reads a running Envoy's admin interface: what it accepted (/config_dump) and what it rejected
// (the update_rejected counters). Only the fields the e2e suite asserts on are typed; Envoy's
// admin JSON is proto3 JSON, so absent fields are defaults.

export interface EnvoyAdmin {
  port: number;
  /** GET on the admin listener; throws unless Envoy answers 200. */
  get(path: string): Promise<string>;
  configDump(): Promise<ConfigDump>;
  /** Counters whose name matches `filter` (an RE2 regex, as Envoy's /stats takes it). */
  counters(filter: string): Promise<Map<string, number>>;
}

export interface ConfigDump {
  configs: ({ '@type': string } & Record<string, unknown>)[];
}

export interface DynamicListener {
  name: string;
  active_state?: { version_info?: string; listener?: { name?: string } };
  warming_state?: unknown;
  /** Set when Envoy rejected the last update of this listener. */
  error_state?: { details?: string };
}

export interface VirtualHostDump {
  name?: string;
  domains?: string[];
}

export interface DynamicRouteConfig {
  version_info?: string;
  route_config?: { name?: string; virtual_hosts?: VirtualHostDump[]; vhds?: unknown };
}

const LISTENERS_DUMP = 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump';
const ROUTES_DUMP = 'type.googleapis.com/envoy.admin.v3.RoutesConfigDump';

interface StatsJson {
  // Histograms come as one extra entry without name/value.
  stats: { name?: string; value?: number }[];
}

export function envoyAdmin(port: number): EnvoyAdmin {
  const get = async (path: string): Promise<string> => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`Envoy admin ${path} answered ${response.status}: ${body}`);
    return body;
  };
  return {
    port,
    get,
    configDump: async () => JSON.parse(await get('/config_dump')) as ConfigDump,
    counters: async (filter) => {
      const { stats } = JSON.parse(await get(`/stats?format=json&filter=${encodeURIComponent(filter)}`)) as StatsJson;
      const counters = new Map<string, number>();
      for (const stat of stats) if (stat.name !== undefined) counters.set(stat.name, stat.value ?? 0);
      return counters;
    },
  };
}

export function dynamicListeners(dump: ConfigDump): DynamicListener[] {
  return (section(dump, LISTENERS_DUMP)['dynamic_listeners'] as DynamicListener[] | undefined) ?? [];
}

export function dynamicRouteConfigs(dump: ConfigDump): DynamicRouteConfig[] {
  return (section(dump, ROUTES_DUMP)['dynamic_route_configs'] as DynamicRouteConfig[] | undefined) ?? [];
}

/** Every domain of a route config's virtual hosts (VHDS ones included: Envoy merges them in). */
export function virtualHostDomains(routeConfig: DynamicRouteConfig): string[] {
  return (routeConfig.route_config?.virtual_hosts ?? []).flatMap((vh) => vh.domains ?? []).sort();
}

function section(dump: ConfigDump, type: string): Record<string, unknown> {
  const found = dump.configs.find((config) => config['@type'] === type);
  if (!found) throw new Error(`Envoy's /config_dump has no ${type}; it has ${dump.configs.map((c) => c['@type']).join(', ')}`);
  return found;
}
