// Which Ingresses are Portico's, and in which class. Follows the Kubernetes rules: the
// spec.ingressClassName field, else the legacy kubernetes.io/ingress.class annotation, else the
// class marked as default (newest wins, like the DefaultIngressClass admission plugin).
import type { ClusterState, V1Ingress, V1IngressClass } from '../store/cluster-state.js';
import { compareStrings } from '../util/compare.js';

/** The controller name of a default install; `portico serve --controller-name` serves another. */
export const CONTROLLER_NAME = 'portico.dev/ingress-controller';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

/**
 * Which IngressClasses one operator serves: those whose spec.controller is its controller name
 * and, when a list is given, only those named in it. Two installs with different controller names
 * (or disjoint lists) never serve, write status for, or issue certificates to the same class.
 */
export interface ClassOwnership {
  controllerName: string;
  /** Only these classes (still only those of controllerName); every one when absent. */
  classes?: readonly string[];
}

export const DEFAULT_OWNERSHIP: ClassOwnership = { controllerName: CONTROLLER_NAME };

/** A controller name as the API server accepts it in IngressClass spec.controller: a domain-prefixed path. */
export function isControllerName(name: string): boolean {
  return name.length <= 250 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9/._~%!$&'()*+,;=:@-]+$/.test(name);
}

/** True when the class is one this operator serves. */
export function ownsClass(ingressClass: V1IngressClass, ownership: ClassOwnership): boolean {
  if (ingressClass.spec?.controller !== ownership.controllerName) return false;
  return ownership.classes === undefined || ownership.classes.includes(ingressClass.metadata?.name ?? '');
}

export interface ClassSelection {
  /** IngressClasses this operator owns (ownsClass), sorted by name. */
  ours: V1IngressClass[];
  /** The Ingresses of each of our classes; Ingresses of other controllers appear nowhere. */
  ingressesByClass: Map<string, V1Ingress[]>;
}

export function selectIngressClasses(state: ClusterState, ownership: ClassOwnership = DEFAULT_OWNERSHIP): ClassSelection {
  const ours = state.ingressClasses
    .filter((c) => ownsClass(c, ownership))
    .sort((a, b) => compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  const ourNames = new Set(ours.map((c) => c.metadata?.name ?? ''));
  const defaultClass = newestDefaultClass(state.ingressClasses);
  const ingressesByClass = new Map<string, V1Ingress[]>(ours.map((c) => [c.metadata?.name ?? '', []]));
  for (const ingress of state.ingresses) {
    const className = classOfIngress(ingress, defaultClass);
    if (className !== undefined && ourNames.has(className)) ingressesByClass.get(className)?.push(ingress);
  }
  return { ours, ingressesByClass };
}

/** The class an Ingress asks for (field, else legacy annotation), else the default class, if any. */
export function classOfIngress(ingress: V1Ingress, defaultClass: string | undefined): string | undefined {
  return ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION] ?? defaultClass;
}

/** The admission plugin's choice: newest creationTimestamp, then the smaller name. */
export function newestDefaultClass(classes: readonly V1IngressClass[]): string | undefined {
  const defaults = classes.filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  defaults.sort((a, b) => {
    const byAge = timestamp(b) - timestamp(a);
    return byAge !== 0 ? byAge : compareStrings(a.metadata?.name ?? '', b.metadata?.name ?? '');
  });
  return defaults[0]?.metadata?.name;
}

function timestamp(object: V1IngressClass): number {
  const created = object.metadata?.creationTimestamp;
  return created instanceof Date ? created.getTime() : 0;
}
