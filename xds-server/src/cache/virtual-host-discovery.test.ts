import { describe, expect, it } from 'vitest';
import type { FleetResources, VirtualHost } from '../resources.js';
import { withVirtualHostDiscovery } from './virtual-host-discovery.js';

const host = (name: string): VirtualHost => ({ name, domains: [name], routes: [{ match: { prefix: '/' }, direct_response: { status: 200 } }] });

function resources(tables: { name: string; virtual_hosts: VirtualHost[] }[]): FleetResources {
  return { listeners: [], routeConfigurations: tables, clusters: [], clusterLoadAssignments: [], secrets: [] };
}

describe('withVirtualHostDiscovery made from the previous view', () => {
  const names = (view: ReturnType<typeof withVirtualHostDiscovery>): string[] => (view.resources.virtualHosts ?? []).map((v) => v.name ?? '');

  it('gives what a fresh view gives: hosts edited in place, and a table renamed with the very same host list', () => {
    const a = [host('x.example.com')];
    const b = [host('y.example.com')];
    const first = withVirtualHostDiscovery(resources([{ name: 'a', virtual_hosts: a }, { name: 'b', virtual_hosts: b }]), {});
    expect(names(first)).toEqual(['a/x.example.com', 'b/y.example.com']);
    const edited = resources([{ name: 'a', virtual_hosts: [host('x.example.com')] }, { name: 'b', virtual_hosts: b }]);
    expect(names(withVirtualHostDiscovery(edited, {}, first))).toEqual(names(withVirtualHostDiscovery(edited, {})));
    const renamed = resources([{ name: 'c', virtual_hosts: a }, { name: 'b', virtual_hosts: b }]);
    expect(names(withVirtualHostDiscovery(renamed, {}, first))).toEqual(['b/y.example.com', 'c/x.example.com']);
  });
});
