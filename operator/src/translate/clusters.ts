// Backends → clusters. A Service port is one cluster while every Ingress routing to it leaves its
// settings alone; an Ingress whose annotations change how Envoy talks to the backend (protocol,
// balancing, connect timeout, service-upstream) gets a cluster of its own, named after what it
// changes (`ns/svc/80/h2,ring-hash`), so those settings never leak to another Ingress's routes.
// Variants of a Service port share one ClusterLoadAssignment: endpoints are published once.
import type { IrCluster, IrClusterSettings, IrEndpoint } from '../ir/types.js';
import { objectRef } from '../store/cluster-state.js';
import type { V1ServicePort } from '@kubernetes/client-node';
import type { V1Service } from '../store/cluster-state.js';
import { compareStrings } from '../util/compare.js';
import { NGINX_PREFIX } from './annotations/prefix.js';
import type { UpstreamOptions } from './annotations/upstream.js';
import type { BackendResolver, ResolvedBackend } from './backends.js';

interface ClusterChoice {
  resolved: ResolvedBackend;
  settings: IrClusterSettings;
  serviceUpstream: boolean;
}

const DEFAULT_SETTINGS: IrClusterSettings = { protocol: 'http1', balancing: 'roundRobin' };

/** What a Service port's appProtocol says about its protocol (Kubernetes, Contour and gRPC names). */
export function settingsOfServicePort(port: V1ServicePort | undefined): IrClusterSettings {
  switch (port?.appProtocol?.toLowerCase()) {
    case 'kubernetes.io/h2c':
    case 'h2c':
    case 'grpc':
      return { ...DEFAULT_SETTINGS, protocol: 'http2' };
    case 'https':
    case 'tls':
    case 'kubernetes.io/wss':
      return { ...DEFAULT_SETTINGS, tls: {} };
    case 'h2':
    case 'grpcs':
      return { ...DEFAULT_SETTINGS, protocol: 'http2', tls: {} };
    default:
      return DEFAULT_SETTINGS;
  }
}

export class ClusterTable {
  private readonly choices = new Map<string, ClusterChoice>();

  constructor(private readonly resolver: BackendResolver) {}

  /** The cluster for a backend as one Ingress wants it; `report` names the annotation it cannot honour, and why. */
  choose(resolved: ResolvedBackend, upstream: UpstreamOptions, report: (annotation: string, message: string) => void): string {
    if (!resolved.service || !resolved.servicePort) {
      if (!this.choices.has(resolved.cluster)) this.choices.set(resolved.cluster, { resolved, settings: DEFAULT_SETTINGS, serviceUpstream: false });
      return resolved.cluster;
    }
    const base = settingsOfServicePort(resolved.servicePort);
    const settings: IrClusterSettings = { ...base, ...upstream.settings };
    let serviceUpstream = upstream.serviceUpstream;
    if (serviceUpstream && clusterIps(resolved.service).length === 0) {
      report(`${NGINX_PREFIX}service-upstream`, `Service ${resolved.service.metadata?.namespace ?? ''}/${resolved.service.metadata?.name ?? ''} has no ClusterIP (it is headless, or none is assigned yet); its endpoints are used`);
      serviceUpstream = false;
    }
    const tokens = variantTokens(base, settings, serviceUpstream);
    const name = tokens.length === 0 ? resolved.cluster : `${resolved.cluster}/${tokens.join(',')}`;
    if (!this.choices.has(name)) this.choices.set(name, { resolved, settings, serviceUpstream });
    return name;
  }

  /** A backend that did not resolve keeps the default settings: a route to it has nothing to hash over. */
  balancesByHash(name: string): boolean {
    return this.choices.get(name)?.settings.balancing === 'ringHash';
  }

  /** The clusters routes use, with their endpoints and origins (the Ingresses that use each). */
  build(used: ReadonlyMap<string, ReadonlySet<string>>): IrCluster[] {
    return [...used.keys()].sort(compareStrings).map((name) => {
      const origins = new Set(used.get(name));
      const choice = this.choices.get(name);
      const { service, servicePort } = choice?.resolved ?? {};
      let endpoints: IrEndpoint[] = [];
      let loadAssignment = choice?.resolved.cluster ?? name;
      if (service && servicePort) {
        origins.add(objectRef('Service', service.metadata));
        if (choice?.serviceUpstream) {
          loadAssignment = `${loadAssignment}/cluster-ip`;
          endpoints = clusterIps(service).map((address) => ({ address, port: servicePort.port, zone: '' }));
        } else {
          const found = this.resolver.endpoints(service, servicePort);
          endpoints = found.endpoints;
          for (const slice of found.slices) origins.add(slice);
        }
      }
      return { name, loadAssignment, settings: choice?.settings ?? DEFAULT_SETTINGS, endpoints, origins: [...origins].sort(compareStrings) };
    });
  }
}

/** What differs from the Service port's own settings, as short readable words. */
function variantTokens(base: IrClusterSettings, settings: IrClusterSettings, serviceUpstream: boolean): string[] {
  const tokens: string[] = [];
  if (settings.protocol !== base.protocol) tokens.push({ http1: 'http1', http2: 'h2', downstream: 'auto' }[settings.protocol]);
  if (Boolean(settings.tls) !== Boolean(base.tls)) tokens.push(settings.tls ? 'tls' : 'plaintext');
  if (settings.balancing !== base.balancing) tokens.push({ roundRobin: 'round-robin', leastRequest: 'least-request', ringHash: 'ring-hash' }[settings.balancing]);
  if (settings.connectTimeoutMs !== undefined) tokens.push(`connect-${settings.connectTimeoutMs / 1000}s`);
  if (serviceUpstream) tokens.push('cluster-ip');
  return tokens;
}

function clusterIps(service: V1Service): string[] {
  const ips = service.spec?.clusterIPs ?? (service.spec?.clusterIP ? [service.spec.clusterIP] : []);
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}
