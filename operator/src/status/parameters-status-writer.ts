// Writes the status of IngressClassParameters and ClusterIngressClassParameters through their
// status subresource, and only where it differs from what it should say, so a steady state makes
// no writes. Only the leader calls this.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestJson } from '../kube/kube-http.js';
import type { ClusterState, IngressClassParametersObject } from '../store/cluster-state.js';
import { CLUSTER_PARAMETERS_KIND, PARAMETERS_API_VERSION } from '../store/parameters-objects.js';
import { DEFAULT_OWNERSHIP } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import type { ClassParameters } from '../translate/parameters/resolve-class-parameters.js';
import { desiredParametersStatuses, statusUpToDate } from './parameters-status.js';
import { withFieldManager } from './reporter.js';

export interface ParametersStatusResult {
  written: string[];
  failed: Array<{ parameters: string; error: string }>;
}

export async function writeParametersStatus(
  kc: KubeConfig,
  state: ClusterState,
  classes: readonly ClassParameters[],
  signal: AbortSignal,
  now: Date = new Date(),
  ownership: ClassOwnership = DEFAULT_OWNERSHIP,
): Promise<ParametersStatusResult> {
  const result: ParametersStatusResult = { written: [], failed: [] };
  for (const { object, status } of desiredParametersStatuses(state, classes, now, ownership)) {
    if (statusUpToDate(object, status)) continue;
    const name = describe(object);
    try {
      await requestJson(kc, 'PATCH', withFieldManager(statusPath(object)), signal, { status }, 'application/merge-patch+json');
      result.written.push(name);
    } catch (error) {
      result.failed.push({ parameters: name, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

function statusPath(object: IngressClassParametersObject): string {
  const name = encodeURIComponent(object.metadata.name ?? '');
  if (object.kind === CLUSTER_PARAMETERS_KIND) return `/apis/${PARAMETERS_API_VERSION}/clusteringressclassparameters/${name}/status`;
  return `/apis/${PARAMETERS_API_VERSION}/namespaces/${encodeURIComponent(object.metadata.namespace ?? '')}/ingressclassparameters/${name}/status`;
}

function describe(object: IngressClassParametersObject): string {
  return object.metadata.namespace ? `${object.kind} ${object.metadata.namespace}/${object.metadata.name ?? ''}` : `${object.kind} ${object.metadata.name ?? ''}`;
}
