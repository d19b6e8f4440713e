// Kubernetes objects arrive as plain JSON (manifest files, watch events) but the client library's
// types promise Dates and its own field names. Converting every object through the library's
// serializer gives one truthful shape whatever the source.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { SupportedKind } from './cluster-state.js';

const MODEL_BY_KIND: Record<SupportedKind, string> = {
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
};

export function toTypedObject<T>(kind: SupportedKind, raw: unknown): T {
  return ObjectSerializer.deserialize(raw, MODEL_BY_KIND[kind]) as T;
}
