// A configuration the xDS server must refuse part of, for tests of what it reports: the
// translator makes nothing Envoy's rules refuse, so the virtual hosts a test names lose their
// domains (VirtualHost.domains needs at least one) in the EnvoyConfig the pipeline hands on.
import type { EnvoyConfig } from '../pipeline.js';

export function withRefusedVirtualHosts(config: EnvoyConfig, refused: (host: string) => boolean): EnvoyConfig {
  return {
    ...config,
    fleets: config.fleets.map((fleet) => ({
      ...fleet,
      resources: {
        ...fleet.resources,
        routeConfigurations: fleet.resources.routeConfigurations.map((table) => ({
          ...table,
          virtual_hosts: (table.virtual_hosts ?? []).map((host) => (refused(host.name ?? '') ? { ...host, domains: [] } : host)),
        })),
      },
    })),
  };
}
