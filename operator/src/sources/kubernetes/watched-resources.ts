// What the operator watches, and where. Secrets only of type kubernetes.io/tls (a field selector
// the API server applies): Portico never holds every Secret of the cluster, such as Helm's release
// Secrets, which have made other controllers run out of memory. An optional label selector narrows
// that further.
import type { SupportedKind } from '../../store/cluster-state.js';
import { TLS_SECRET_TYPE } from '../../store/cluster-state.js';

export interface WatchedResource {
  kind: SupportedKind;
  /** The collection path for all namespaces. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
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
  resources.push({
    kind: 'Secret',
    path: '/api/v1/secrets',
    fieldSelector: `type=${TLS_SECRET_TYPE}`,
    ...(options.secretLabelSelector ? { labelSelector: options.secretLabelSelector } : {}),
  });
  return resources;
}
