// Kubernetes objects arrive as plain JSON (manifest files, watch events) but the client library's
// types promise Dates and its own field names. Converting every object through the library's
// serializer gives one truthful shape whatever the source.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { SupportedKind } from './cluster-state.js';
import { PARAMETERS_API_VERSION, toParametersObject } from './parameters-objects.js';

/** Kinds of the client library; Portico's own CRDs have no model there (see parameters-objects.ts). */
const MODEL_BY_KIND: Record<Exclude<SupportedKind, 'IngressClassParameters' | 'ClusterIngressClassParameters'>, string> = {
  Ingress: 'V1Ingress',
  IngressClass: 'V1IngressClass',
  Service: 'V1Service',
  EndpointSlice: 'V1EndpointSlice',
  Secret: 'V1Secret',
};

/** The apiVersion each kind must have; anything else is a different object to Portico. */
export const API_VERSION_BY_KIND: Record<SupportedKind, string> = {
  Ingress: 'networking.k8s.io/v1',
  IngressClass: 'networking.k8s.io/v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Secret: 'v1',
  IngressClassParameters: PARAMETERS_API_VERSION,
  ClusterIngressClassParameters: PARAMETERS_API_VERSION,
};

export function toTypedObject<T>(kind: SupportedKind, raw: unknown): T {
  if (kind === 'IngressClassParameters' || kind === 'ClusterIngressClassParameters') return toParametersObject(kind, raw) as T;
  return ObjectSerializer.deserialize(raw, MODEL_BY_KIND[kind]) as T;
}
