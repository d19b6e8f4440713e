// What the status of each IngressClassParameters / ClusterIngressClassParameters should say:
// whether its spec is valid and in use (condition Accepted), and which of Portico's classes refer
// to it. Pure, so it is tested without an API server; the writer only compares and patches.
import type { ClusterState, IngressClassParametersObject } from '../store/cluster-state.js';
import type { ParametersCondition, ParametersStatus } from '../store/parameters-objects.js';
import { CONTROLLER_NAME } from '../translate/ingress-classes.js';
import type { ClassParameters, ParametersRef } from '../translate/parameters/resolve-class-parameters.js';
import { readParametersSpec } from '../translate/parameters/read-parameters-spec.js';
import { compareStrings } from '../util/compare.js';

export const ACCEPTED = 'Accepted';

export interface DesiredParametersStatus {
  object: IngressClassParametersObject;
  status: Required<ParametersStatus>;
}

/** One entry per parameters object in the state; lastTransitionTime kept when nothing changed. */
export function desiredParametersStatuses(state: ClusterState, classes: readonly ClassParameters[], now: Date): DesiredParametersStatus[] {
  return [...state.ingressClassParameters, ...state.clusterIngressClassParameters].map((object) => {
    const users = classes.filter((c) => c.ref !== undefined && refersTo(c.ref, object));
    const condition = acceptedCondition(object, users);
    const previous = object.status?.conditions?.find((c) => c.type === ACCEPTED);
    const unchanged = previous?.status === condition.status && previous.reason === condition.reason && previous.message === condition.message;
    const lastTransitionTime = unchanged && previous?.lastTransitionTime ? previous.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      object,
      status: {
        conditions: [{ ...condition, lastTransitionTime }],
        ingressClasses: users.map((c) => c.ingressClass).sort(compareStrings),
      },
    };
  });
}

/** True when the object's status already says what `desired` says (so no write is needed). */
export function statusUpToDate(object: IngressClassParametersObject, desired: Required<ParametersStatus>): boolean {
  const current = object.status?.conditions?.find((c) => c.type === ACCEPTED);
  const wanted = desired.conditions[0];
  const sameClasses = JSON.stringify([...(object.status?.ingressClasses ?? [])].sort(compareStrings)) === JSON.stringify(desired.ingressClasses);
  return (
    sameClasses &&
    current !== undefined &&
    wanted !== undefined &&
    current.status === wanted.status &&
    current.reason === wanted.reason &&
    current.message === wanted.message &&
    current.observedGeneration === wanted.observedGeneration
  );
}

function acceptedCondition(object: IngressClassParametersObject, users: readonly ClassParameters[]): Omit<ParametersCondition, 'lastTransitionTime'> {
  const generation = object.metadata.generation !== undefined ? { observedGeneration: object.metadata.generation } : {};
  const read = readParametersSpec(object.spec);
  if ('problems' in read) {
    const held = users.length > 0 ? ` IngressClass ${users.map((u) => u.ingressClass).join(', ')} keep${users.length === 1 ? 's' : ''} serving the last good configuration.` : '';
    return { type: ACCEPTED, status: 'False', reason: 'Invalid', message: `${read.problems.join('; ')}.${held}`, ...generation };
  }
  const rejected = users.find((u) => !u.accepted);
  if (rejected && !rejected.accepted) {
    return { type: ACCEPTED, status: 'False', reason: 'Conflict', message: `IngressClass ${rejected.ingressClass}: ${rejected.problems.join('; ')}`, ...generation };
  }
  if (users.length === 0) {
    return { type: ACCEPTED, status: 'True', reason: 'NotInUse', message: `valid; no IngressClass of controller ${CONTROLLER_NAME} refers to it`, ...generation };
  }
  return { type: ACCEPTED, status: 'True', reason: 'Accepted', message: `in use by IngressClass ${users.map((u) => u.ingressClass).join(', ')}`, ...generation };
}

function refersTo(ref: ParametersRef, object: IngressClassParametersObject): boolean {
  return ref.kind === object.kind && ref.name === object.metadata.name && (ref.namespace ?? '') === (object.metadata.namespace ?? '');
}
