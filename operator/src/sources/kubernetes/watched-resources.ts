// What the operator watches, and where. Secrets are watched only with a label selector chosen by
// the operator's flags (none by default), so Portico never holds every Secret of the cluster.
import type { SupportedKind } from '../../store/cluster-state.js';

export interface WatchedResource {
  kind: SupportedKind;
  /** The collection path for all namespaces. */
  path: string;
  labelSelector?: string;
}

export function watchedResources(options: { secretLabelSelector?: string } = {}): WatchedResource[] {
  const resources: WatchedResource[] = [
    { kind: 'IngressClass', path: '/apis/networking.k8s.io/v1/ingressclasses' },
    { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
    { kind: 'Service', path: '/api/v1/services' },
    { kind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/endpointslices' },
  ];
  if (options.secretLabelSelector) resources.push({ kind: 'Secret', path: '/api/v1/secrets', labelSelector: options.secretLabelSelector });
  return resources;
}
