// IngressClass.spec.parameters → the class's parameters. Follows the Ingress API's rules for the
// reference (scope Namespace needs a namespace, Cluster forbids one; an unset scope is Cluster),
// with one kind per scope: IngressClassParameters is namespaced, ClusterIngressClassParameters is
// cluster-scoped. A class without a reference gets the defaults; a reference that cannot be
// followed, or parameters that are invalid, make the class "not accepted": the caller keeps the
// class's last good configuration rather than serving something the platform team did not ask for.
import type { ClusterState, IngressClassParametersObject, V1IngressClass } from '../../store/cluster-state.js';
import type { ParametersKind } from '../../store/parameters-objects.js';
import { CLUSTER_PARAMETERS_KIND, NAMESPACED_PARAMETERS_KIND, PARAMETERS_GROUP } from '../../store/parameters-objects.js';
import type { FleetParameters } from './fleet-parameters.js';
import { readParametersSpec } from './read-parameters-spec.js';

export interface ParametersRef {
  kind: ParametersKind;
  namespace?: string;
  name: string;
}

export type ClassParameters =
  | { ingressClass: string; accepted: true; parameters: FleetParameters; ref?: ParametersRef }
  | { ingressClass: string; accepted: false; ref?: ParametersRef; problems: string[] };

const KEEPS_LAST_GOOD = 'the class keeps serving its last good configuration';

export function describeRef(ref: ParametersRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function resolveClassParameters(ingressClass: V1IngressClass, state: ClusterState): ClassParameters {
  const name = ingressClass.metadata?.name ?? '';
  const reference = ingressClass.spec?.parameters;
  if (!reference) {
    const read = readParametersSpec({});
    if ('problems' in read) throw new Error(`the default parameters are invalid: ${read.problems.join('; ')}`);
    return { ingressClass: name, accepted: true, parameters: read.parameters };
  }
  const rejected = (problem: string, ref?: ParametersRef): ClassParameters => ({ ingressClass: name, accepted: false, ...(ref ? { ref } : {}), problems: [problem] });

  if (reference.apiGroup !== PARAMETERS_GROUP) {
    return rejected(`spec.parameters.apiGroup: Portico reads parameters of API group ${PARAMETERS_GROUP} only, not ${JSON.stringify(reference.apiGroup ?? '')}; ${KEEPS_LAST_GOOD}`);
  }
  const scope = reference.scope ?? 'Cluster';
  if (reference.kind === NAMESPACED_PARAMETERS_KIND) {
    if (scope !== 'Namespace' || !reference.namespace) {
      return rejected(`spec.parameters: ${NAMESPACED_PARAMETERS_KIND} is namespaced: set scope: Namespace and namespace (or use ${CLUSTER_PARAMETERS_KIND}); ${KEEPS_LAST_GOOD}`);
    }
  } else if (reference.kind === CLUSTER_PARAMETERS_KIND) {
    if (scope !== 'Cluster' || reference.namespace) {
      return rejected(`spec.parameters: ${CLUSTER_PARAMETERS_KIND} is cluster-scoped: use scope: Cluster without a namespace (or use ${NAMESPACED_PARAMETERS_KIND}); ${KEEPS_LAST_GOOD}`);
    }
  } else {
    return rejected(`spec.parameters.kind: must be ${NAMESPACED_PARAMETERS_KIND} or ${CLUSTER_PARAMETERS_KIND}, not ${JSON.stringify(reference.kind)}; ${KEEPS_LAST_GOOD}`);
  }

  const ref: ParametersRef = { kind: reference.kind, name: reference.name, ...(reference.kind === NAMESPACED_PARAMETERS_KIND ? { namespace: reference.namespace ?? '' } : {}) };
  const object = findParameters(ref, state);
  if (!object) return rejected(`spec.parameters: ${describeRef(ref)} not found; ${KEEPS_LAST_GOOD} until it exists`, ref);
  const read = readParametersSpec(object.spec);
  if ('problems' in read) {
    return { ingressClass: name, accepted: false, ref, problems: read.problems.map((problem) => `spec.parameters: ${describeRef(ref)} is invalid: ${problem}; ${KEEPS_LAST_GOOD}`) };
  }
  return { ingressClass: name, accepted: true, parameters: read.parameters, ref };
}

export function findParameters(ref: ParametersRef, state: ClusterState): IngressClassParametersObject | undefined {
  const list = ref.kind === NAMESPACED_PARAMETERS_KIND ? state.ingressClassParameters : state.clusterIngressClassParameters;
  return list.find((p) => p.metadata.name === ref.name && (ref.kind === CLUSTER_PARAMETERS_KIND || p.metadata.namespace === ref.namespace));
}
