// IngressClassParameters and ClusterIngressClassParameters as the store keeps them. The client
// library has no model for a CRD, so they stay plain JSON: only the metadata the operator needs is
// typed, and the spec is read (validated, defaulted) by the translator, which owns its meaning.

export const PARAMETERS_GROUP = 'portico.dev';
export const PARAMETERS_API_VERSION = `${PARAMETERS_GROUP}/v1alpha1`;
export const NAMESPACED_PARAMETERS_KIND = 'IngressClassParameters';
export const CLUSTER_PARAMETERS_KIND = 'ClusterIngressClassParameters';
export type ParametersKind = typeof NAMESPACED_PARAMETERS_KIND | typeof CLUSTER_PARAMETERS_KIND;

export interface ParametersMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
}

export interface ParametersCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

export interface ParametersStatus {
  conditions?: ParametersCondition[];
  ingressClasses?: string[];
}

export interface IngressClassParametersObject {
  apiVersion: string;
  kind: ParametersKind;
  metadata: ParametersMetadata;
  /** As written (or as the API server defaulted it); the translator validates it. */
  spec?: unknown;
  status?: ParametersStatus;
}

/** A deep copy holding only JSON, with the metadata fields the operator reads typed. */
export function toParametersObject(kind: ParametersKind, raw: unknown): IngressClassParametersObject {
  const record = isRecord(raw) ? (JSON.parse(JSON.stringify(raw)) as Record<string, unknown>) : {};
  const metadata = isRecord(record['metadata']) ? record['metadata'] : {};
  const typed: ParametersMetadata = {};
  for (const field of ['name', 'namespace', 'uid', 'resourceVersion'] as const) {
    const value = metadata[field];
    if (typeof value === 'string') typed[field] = value;
  }
  if (typeof metadata['generation'] === 'number') typed.generation = metadata['generation'];
  const object: IngressClassParametersObject = { apiVersion: PARAMETERS_API_VERSION, kind, metadata: typed };
  if ('spec' in record) object.spec = record['spec'];
  if (isRecord(record['status'])) object.status = record['status'] as ParametersStatus;
  return object;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
