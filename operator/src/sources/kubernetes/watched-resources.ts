// What the operator watches, and where. Secrets are watched only with a label selector chosen by
// the operator's flags (none by default), so Portico never holds every Secret of the cluster.
import type { SupportedKind } from '../../store/cluster-state.js';

export interface WatchedResource {
  kind: SupportedKind;
  /** The collection path for all namespaces. */
  path: string;
  labelSelector?: string;
  /**
   * A kind whose API may not be installed (Portico's own CRDs): until it is, the kind counts as
   * listed and empty, so the operator still serves the classes that need no parameters.
   */
  optional?: boolean;
}

export function watchedResources(options: { secretLabelSelector?: string } = {}): WatchedResource[] {
  const resources: WatchedResource[] = [
    { kind: 'IngressClass', path: '/apis/networking.k8s.io/v1/ingressclasses' },
    { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
    { kind: 'Service', path: '/api/v1/services' },
    { kind: 'EndpointSlice', path: '/apis/discovery.k8s.io/v1/endpointslices' },
    { kind: 'IngressClassParameters', path: '/apis/portico.dev/v1alpha1/ingressclassparameters', optional: true },
    { kind: 'ClusterIngressClassParameters', path: '/apis/portico.dev/v1alpha1/clusteringressclassparameters', optional: true },
  ];
  if (options.secretLabelSelector) resources.push({ kind: 'Secret', path: '/api/v1/secrets', labelSelector: options.secretLabelSelector });
  return resources;
}
