// Where Ingress status.loadBalancer comes from: fixed addresses from a flag (the bare-metal setup,
// where an external load balancer sits in front of hostPort Envoys), or the load-balancer status
// of the Envoy fleet's Service (the cloud setup).
import { isIP } from 'node:net';
import type { ClusterState } from '../store/cluster-state.js';
import { compareStrings } from '../util/compare.js';

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

export type AddressSource = { kind: 'fixed'; addresses: string[] } | { kind: 'service'; namespace: string; name: string };

export function parseAddressSource(flag: { statusAddress?: string; envoyService?: string }): AddressSource | undefined {
  if (flag.statusAddress) return { kind: 'fixed', addresses: flag.statusAddress.split(',').map((a) => a.trim()).filter(Boolean) };
  if (flag.envoyService) {
    const [namespace, name] = flag.envoyService.split('/');
    if (!namespace || !name) throw new Error(`--envoy-service must be namespace/name, not ${JSON.stringify(flag.envoyService)}`);
    return { kind: 'service', namespace, name };
  }
  return undefined;
}

/** Sorted, so that an unchanged address never causes a status write. */
export function loadBalancerIngress(source: AddressSource | undefined, state: ClusterState): LoadBalancerIngress[] {
  if (!source) return [];
  if (source.kind === 'fixed') {
    return [...source.addresses].sort(compareStrings).map((address) => (isIP(address) ? { ip: address } : { hostname: address }));
  }
  const service = state.services.find((s) => s.metadata?.namespace === source.namespace && s.metadata?.name === source.name);
  const fromStatus = (service?.status?.loadBalancer?.ingress ?? []).map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname ?? '' })).filter((i) => i.ip || i.hostname);
  const external = (service?.spec?.externalIPs ?? []).map((ip) => ({ ip }));
  return [...fromStatus, ...external].sort((a, b) => compareStrings(a.ip ?? a.hostname ?? '', b.ip ?? b.hostname ?? ''));
}
