// What the status of each IngressClassParameters / ClusterIngressClassParameters should say:
// whether its spec is valid and in use (condition Accepted), whether the VHDS it asks for is
// served (condition VirtualHostDiscovery, only when asked for), and which of Portico's classes
// refer to it. Pure, so it is tested without an API server; the writer only compares and patches.
import type { ClusterState, IngressClassParametersObject } from '../store/cluster-state.js';
import type { ParametersCondition, ParametersStatus } from '../store/parameters-objects.js';
import { DEFAULT_OWNERSHIP, ownsClass } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import type { ClassParameters, ParametersRef } from '../translate/parameters/resolve-class-parameters.js';
import { readParametersSpec } from '../translate/parameters/read-parameters-spec.js';
import { virtualHostDiscoveryFor } from '../translate/parameters/virtual-host-discovery.js';
import { compareStrings } from '../util/compare.js';

export const ACCEPTED = 'Accepted';
export const VIRTUAL_HOST_DISCOVERY = 'VirtualHostDiscovery';

type Condition = Omit<ParametersCondition, 'lastTransitionTime'>;

export interface DesiredParametersStatus {
  object: IngressClassParametersObject;
  status: Required<ParametersStatus>;
}

/**
 * One entry per parameters object this operator answers for; lastTransitionTime kept when nothing
 * changed. An object that an IngressClass of another controller (another install) refers to, and
 * none of ours does, is that install's to write: left out, so two installs never write the same
 * status. One no class refers to gets a message that names no controller, so every install
 * wants the same status and the first write settles it.
 */
export function desiredParametersStatuses(
  state: ClusterState,
  classes: readonly ClassParameters[],
  now: Date,
  ownership: ClassOwnership = DEFAULT_OWNERSHIP,
): DesiredParametersStatus[] {
  const objects = [...state.ingressClassParameters, ...state.clusterIngressClassParameters];
  return objects.filter((object) => !referredToOnlyByOthers(object, state, classes, ownership)).map((object) => {
    const users = classes.filter((c) => c.ref !== undefined && refersTo(c.ref, object));
    const conditions = [acceptedCondition(object, users), virtualHostDiscoveryCondition(object, users)].flatMap((condition) => {
      if (!condition) return [];
      const previous = object.status?.conditions?.find((c) => c.type === condition.type);
      const unchanged = previous?.status === condition.status && previous.reason === condition.reason && previous.message === condition.message;
      const lastTransitionTime = unchanged && previous?.lastTransitionTime ? previous.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
      return [{ ...condition, lastTransitionTime }];
    });
    return { object, status: { conditions, ingressClasses: users.map((c) => c.ingressClass).sort(compareStrings) } };
  });
}

/** True when the object's status already says what `desired` says (so no write is needed). */
export function statusUpToDate(object: IngressClassParametersObject, desired: Required<ParametersStatus>): boolean {
  const currentConditions = object.status?.conditions ?? [];
  const sameClasses = JSON.stringify([...(object.status?.ingressClasses ?? [])].sort(compareStrings)) === JSON.stringify(desired.ingressClasses);
  const sameCondition = (wanted: ParametersCondition): boolean => {
    const current = currentConditions.find((c) => c.type === wanted.type);
    return (
      current !== undefined &&
      current.status === wanted.status &&
      current.reason === wanted.reason &&
      current.message === wanted.message &&
      current.observedGeneration === wanted.observedGeneration
    );
  };
  return sameClasses && currentConditions.length === desired.conditions.length && desired.conditions.every(sameCondition);
}

function generationOf(object: IngressClassParametersObject): { observedGeneration?: number } {
  return object.metadata.generation !== undefined ? { observedGeneration: object.metadata.generation } : {};
}

/** Only for valid parameters in use that ask for VHDS: whether their classes' Delta clients get it. */
function virtualHostDiscoveryCondition(object: IngressClassParametersObject, users: readonly ClassParameters[]): Condition | undefined {
  if (users.length === 0 || users.some((u) => !u.accepted)) return undefined;
  const read = readParametersSpec(object.spec);
  if ('problems' in read) return undefined;
  const decision = virtualHostDiscoveryFor(read.parameters.envoy);
  if (decision.state === 'off') return undefined;
  const base = { type: VIRTUAL_HOST_DISCOVERY, message: decision.message, ...generationOf(object) };
  return decision.state === 'on' ? { ...base, status: 'True', reason: 'Enabled' } : { ...base, status: 'False', reason: decision.reason };
}

function acceptedCondition(object: IngressClassParametersObject, users: readonly ClassParameters[]): Condition {
  const generation = generationOf(object);
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
    return { type: ACCEPTED, status: 'True', reason: 'NotInUse', message: 'valid; no IngressClass refers to it', ...generation };
  }
  return { type: ACCEPTED, status: 'True', reason: 'Accepted', message: `in use by IngressClass ${users.map((u) => u.ingressClass).join(', ')}`, ...generation };
}

/**
 * True when another install writes the object's status: none of our classes uses it and a class
 * of another controller (or one we leave out) does; or, when classes of several installs share
 * it, the first of them by name is not ours (one writer, or the installs would rewrite each
 * other's status for ever).
 */
function referredToOnlyByOthers(object: IngressClassParametersObject, state: ClusterState, classes: readonly ClassParameters[], ownership: ClassOwnership): boolean {
  const referring = state.ingressClasses.filter((c) => classRefersTo(c.spec?.parameters, object)).sort((a, b) => compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  const first = referring[0];
  if (first && !ownsClass(first, ownership)) return true;
  if (classes.some((c) => c.ref !== undefined && refersTo(c.ref, object))) return false;
  return referring.some((c) => !ownsClass(c, ownership));
}

function classRefersTo(parameters: { apiGroup?: string; kind: string; name: string; namespace?: string; scope?: string } | undefined, object: IngressClassParametersObject): boolean {
  if (!parameters || parameters.apiGroup !== 'portico.dev') return false;
  return parameters.kind === object.kind && parameters.name === object.metadata.name && (parameters.namespace ?? '') === (object.metadata.namespace ?? '');
}

function refersTo(ref: ParametersRef, object: IngressClassParametersObject): boolean {
  return ref.kind === object.kind && ref.name === object.metadata.name && (ref.namespace ?? '') === (object.metadata.namespace ?? '');
}
