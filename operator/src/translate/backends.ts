// Ingress backends → cluster names, and clusters → endpoints from EndpointSlices.
// A backend that cannot be resolved still gets a cluster (with no endpoints), so its routes answer
// 503 instead of silently falling through to a less specific route of someone else.
import { isIPv4, isIPv6 } from 'node:net';
import type { V1IngressBackend, V1ServicePort } from '@kubernetes/client-node';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrEndpoint } from '../ir/types.js';
import type { ClusterState, V1EndpointSlice, V1Service } from '../store/cluster-state.js';
import { quoted } from '../util/characters.js';
import { compareStrings } from '../util/compare.js';
import { Memo } from '../util/memo.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface ResolvedBackend {
  cluster: string;
  /** The Service port, when the backend resolved to one: the key for its EndpointSlice ports. */
  servicePort?: V1ServicePort;
  service?: V1Service;
  /** What is wrong, naming the field relative to the backend (e.g. "service.port.name: ..."). */
  problem?: string;
}

export class BackendResolver {
  private readonly services: ReadonlyMap<string, V1Service>;
  private readonly slicesByService: ReadonlyMap<string, readonly V1EndpointSlice[]>;
  /** Problems of the slices read so far, once each (several fleets may read one slice). */
  private readonly sliceProblems = new Map<string, Diagnostic>();

  constructor(state: Pick<ClusterState, 'services' | 'endpointSlices'>) {
    this.services = SERVICES_BY_KEY.get(state.services);
    this.slicesByService = SLICES_BY_SERVICE.get(state.endpointSlices);
  }

  resolve(namespace: string, backend: V1IngressBackend): ResolvedBackend {
    if (backend.resource) {
      const ref = `${backend.resource.kind}/${backend.resource.name}`;
      return { cluster: `${namespace}/${backend.resource.kind.toLowerCase()}/${backend.resource.name}`, problem: `resource: backends of kind ${ref} are not supported, only Services; requests get 503` };
    }
    const serviceRef = backend.service;
    if (!serviceRef?.name) return { cluster: `${namespace}/invalid-backend`, problem: 'service.name: a Service backend is required; requests get 503' };
    const port = serviceRef.port;
    const written = port?.number !== undefined ? String(port.number) : (port?.name ?? '');
    const unresolvedCluster = `${namespace}/${serviceRef.name}/${written}`;
    if (written === '') return { cluster: unresolvedCluster, problem: 'service.port: a port number or name is required; requests get 503' };
    const service = this.services.get(key(namespace, serviceRef.name));
    if (!service) return { cluster: unresolvedCluster, problem: `service.name: Service ${namespace}/${serviceRef.name} not found; requests get 503 until it exists` };
    if (service.spec?.type === 'ExternalName') {
      return { cluster: unresolvedCluster, problem: `service.name: Service ${namespace}/${serviceRef.name} is of type ExternalName, which is not supported; requests get 503` };
    }
    const ports = service.spec?.ports ?? [];
    const servicePort = port?.number !== undefined ? ports.find((p) => p.port === port.number) : ports.find((p) => p.name === port?.name);
    if (!servicePort) {
      const field = port?.number !== undefined ? `service.port.number: Service ${namespace}/${serviceRef.name} has no port ${port.number}` : `service.port.name: Service ${namespace}/${serviceRef.name} has no port named ${JSON.stringify(port?.name)}`;
      const known = ports.map((p) => (p.name ? `${p.name} (${p.port})` : String(p.port))).join(', ') || 'none';
      return { cluster: unresolvedCluster, problem: `${field} (ports: ${known}); requests get 503` };
    }
    return { cluster: `${namespace}/${serviceRef.name}/${servicePort.port}`, service, servicePort };
  }

  /**
   * Ready endpoints of a Service port, deduplicated (an address may sit in two slices while they
   * are being rebalanced) and sorted. Also returns the slices read, for provenance.
   */
  endpoints(service: V1Service, servicePort: V1ServicePort): { endpoints: IrEndpoint[]; slices: string[] } {
    const namespace = service.metadata?.namespace;
    const slices = this.slicesByService.get(key(namespace, service.metadata?.name)) ?? [];
    const byAddress = new Map<string, IrEndpoint>();
    for (const slice of slices) {
      if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
      // Slice ports carry the Service port's name ('' or absent when the port is unnamed).
      const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (servicePort.name ?? ''));
      const port = slicePort?.port;
      if (port === undefined) continue;
      const sliceRef = `EndpointSlice ${slice.metadata?.namespace ?? ''}/${slice.metadata?.name ?? ''}`;
      // The API server checks both; a manifest may not have met one, and Envoy would reject the
      // whole ClusterLoadAssignment for one bad address or port.
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        this.reportSlice(sliceRef, `ports: port ${port} of ${JSON.stringify(slicePort?.name ?? '')} is not between 1 and 65535; the slice's endpoints are not used for it`);
        continue;
      }
      const isFamily = slice.addressType === 'IPv4' ? isIPv4 : isIPv6;
      (slice.endpoints ?? []).forEach((endpoint, i) => {
        // "nil should be interpreted as ready" (discovery/v1 EndpointConditions).
        if (endpoint.conditions?.ready === false) return;
        (endpoint.addresses ?? []).forEach((address, j) => {
          if (!isFamily(address)) {
            this.reportSlice(sliceRef, `endpoints[${i}].addresses[${j}]: ${printable(address)} is not an ${slice.addressType} address; it is not used`);
            return;
          }
          byAddress.set(`${address}:${port}`, { address, port, zone: endpoint.zone ?? '' });
        });
      });
    }
    const endpoints = [...byAddress.values()].sort(
      (a, b) => compareStrings(a.zone, b.zone) || compareStrings(a.address, b.address) || a.port - b.port,
    );
    const sliceRefs = slices.map((s) => `EndpointSlice ${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`).sort(compareStrings);
    return { endpoints, slices: sliceRefs };
  }

  /** What is wrong with the slices read, in the order found. */
  problems(): Diagnostic[] {
    return [...this.sliceProblems.values()];
  }

  private reportSlice(object: string, message: string): void {
    this.sliceProblems.set(`${object}\n${message}`, { object, severity: 'error', message });
  }
}

// The indexes of a kind's list, kept while that very list is (ClusterSource hands out the same
// array for a kind until one of its objects changes): an Ingress change does not index 20,000
// Services again.
const SERVICES_BY_KEY = new Memo((services: readonly V1Service[]): ReadonlyMap<string, V1Service> => new Map(services.map((service) => [key(service.metadata?.namespace, service.metadata?.name), service])));

const SLICES_BY_SERVICE = new Memo((slices: readonly V1EndpointSlice[]): ReadonlyMap<string, readonly V1EndpointSlice[]> => {
  const byService = new Map<string, V1EndpointSlice[]>();
  for (const slice of slices) {
    const serviceName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!serviceName) continue;
    const k = key(slice.metadata?.namespace, serviceName);
    const list = byService.get(k) ?? [];
    list.push(slice);
    byService.set(k, list);
  }
  return byService;
});

/** A bad value as shown in a diagnostic: cut short, quoted, control characters escaped. */
function printable(text: string): string {
  return quoted(text.length > 64 ? `${text.slice(0, 64)}…` : text);
}

function key(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}/${name ?? ''}`;
}
