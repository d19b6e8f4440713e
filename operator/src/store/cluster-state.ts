// The Kubernetes objects the translator reads: a plain, immutable snapshot. Both sources (the
// manifest folder and the API watch) fill the same shape, so translation has one code path.
import type {
  V1EndpointSlice,
  V1Ingress,
  V1IngressClass,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';

import type { IngressClassParametersObject } from './parameters-objects.js';

export type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Secret, V1Service };
export type { IngressClassParametersObject };

export interface ClusterState {
  readonly ingresses: readonly V1Ingress[];
  readonly ingressClasses: readonly V1IngressClass[];
  readonly services: readonly V1Service[];
  readonly endpointSlices: readonly V1EndpointSlice[];
  readonly secrets: readonly V1Secret[];
  /** Namespaced IngressClassParameters (portico.dev). */
  readonly ingressClassParameters: readonly IngressClassParametersObject[];
  /** Cluster-scoped ClusterIngressClassParameters (portico.dev). */
  readonly clusterIngressClassParameters: readonly IngressClassParametersObject[];
}

/** The Secret type of TLS certificates: the only Secrets Portico reads. */
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export const SUPPORTED_KINDS = [
  'Ingress',
  'IngressClass',
  'Service',
  'EndpointSlice',
  'Secret',
  'IngressClassParameters',
  'ClusterIngressClassParameters',
] as const;
export type SupportedKind = (typeof SUPPORTED_KINDS)[number];

/**
 * A ClusterState from each kind's objects, already in the order the state keeps them: every source
 * (manifests, the API watch) fills the same fields the same way.
 */
export function clusterStateOf(objectsOf: <T>(kind: SupportedKind) => T[]): ClusterState {
  return {
    ingresses: objectsOf<V1Ingress>('Ingress'),
    ingressClasses: objectsOf<V1IngressClass>('IngressClass'),
    services: objectsOf<V1Service>('Service'),
    endpointSlices: objectsOf<V1EndpointSlice>('EndpointSlice'),
    secrets: objectsOf<V1Secret>('Secret'),
    ingressClassParameters: objectsOf<IngressClassParametersObject>('IngressClassParameters'),
    clusterIngressClassParameters: objectsOf<IngressClassParametersObject>('ClusterIngressClassParameters'),
  };
}

export function emptyClusterState(): ClusterState {
  return { ingresses: [], ingressClasses: [], services: [], endpointSlices: [], secrets: [], ingressClassParameters: [], clusterIngressClassParameters: [] };
}

/** "Kind namespace/name" (or "Kind name" for cluster-scoped objects): how objects are named to users. */
export function objectRef(kind: string, metadata: { namespace?: string; name?: string } | undefined): string {
  const name = metadata?.name ?? '<unnamed>';
  return metadata?.namespace ? `${kind} ${metadata.namespace}/${name}` : `${kind} ${name}`;
}
