// What the admission webhook decides about one submitted Ingress (decision 0012). Pure: the
// operator's current ClusterState with the Ingress put in (replacing the stored copy, or added),
// translated by the same pipeline that serves xDS; the Ingress's own error diagnostics refuse it,
// with the message its Warning Event would carry. Nothing from the object is ever executed or
// templated: it is only data for the translator, which never throws for bad input.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { buildEnvoyConfig } from '../pipeline.js';
import type { ClusterState, V1Ingress } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { checkSchema } from '../store/object-schema.js';
import { toTypedObject } from '../store/typed-objects.js';
import { DEFAULT_OWNERSHIP, selectIngressClasses } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { compareStrings } from '../util/compare.js';

export interface IngressVerdict {
  /** False only for an Ingress of one of our classes with an error the change is responsible for. */
  allowed: boolean;
  /** Why it is refused: "Ingress ns/name: <the Event's message>; <another>". */
  message?: string;
  /** Returned as AdmissionReview warnings (kubectl prints them). */
  warnings: string[];
  /** The class that judged it; undefined when it is not ours (then nothing is said at all). */
  ingressClass?: string;
}

/**
 * Errors that depend on objects which may simply not exist yet: an Ingress applied before its
 * Service (kubectl apply -f of a folder, GitOps sync order) must not be refused for that. They are
 * warnings here; the operator still reports them as Events until the Service appears. The
 * translator's own failure ("This is a bug in Portico") never blocks a user either.
 */
const NOT_THE_OBJECTS_FAULT: readonly RegExp[] = [
  // Path backends (…paths[0].backend.service…) and the default backend (spec.defaultBackend.service…).
  /[bB]ackend\.service\.name: Service \S+ not found/,
  /[bB]ackend\.service\.name: Service \S+ is of type ExternalName/,
  /[bB]ackend\.service\.port\.(number|name): Service \S+ has no port/,
  /This is a bug in Portico/,
];

export interface JudgeInput {
  state: ClusterState;
  /** The Ingress as submitted (request.object), plain JSON. */
  object: unknown;
  /** On UPDATE, the stored Ingress (request.oldObject): errors it already had do not refuse the change. */
  oldObject?: unknown;
  /** request.namespace, for objects that do not say (and generateName-only CREATEs). */
  namespace?: string;
  /** request.name. */
  name?: string;
  now: number;
  /** Which classes are this operator's (as cluster mode translates). */
  ownership?: ClassOwnership;
}

export function judgeIngress(input: JudgeInput): IngressVerdict {
  const ingress = typedIngress(input.object, input.namespace, input.name);
  if (!ingress) return { allowed: true, warnings: [] }; // the API server validates shape; version skew is not ours to judge
  // Being deleted (finalizers removed, metadata only): never stand in the way.
  if (ingress.metadata?.deletionTimestamp) return { allowed: true, warnings: [] };
  const old = input.oldObject === undefined ? undefined : typedIngress(input.oldObject, input.namespace, input.name);
  // Status writes, label or finalizer changes (cert-manager, Argo, Portico itself) change nothing
  // translation reads: answered at once, without translating the class.
  if (old && sameTranslationInput(old, ingress)) return { allowed: true, warnings: [] };
  const ownership = input.ownership ?? DEFAULT_OWNERSHIP;
  const after = diagnosticsOf(input.state, ingress, input.now, ownership);
  if (!after) return { allowed: true, warnings: [] };
  // "Already so before" matters only when something would be refused: translate the old one only then.
  const refusable = after.diagnostics.some((d) => d.severity === 'error' && !NOT_THE_OBJECTS_FAULT.some((pattern) => pattern.test(d.message)));
  const before = old && refusable ? diagnosticsOf(input.state, old, input.now, ownership) : undefined;
  const hadBefore = new Set((before?.diagnostics ?? []).filter((d) => d.severity === 'error').map((d) => d.message));

  const refusals: string[] = [];
  const warnings: string[] = [];
  for (const diagnostic of after.diagnostics) {
    if (diagnostic.severity !== 'error') warnings.push(diagnostic.message);
    else if (NOT_THE_OBJECTS_FAULT.some((pattern) => pattern.test(diagnostic.message))) warnings.push(diagnostic.message);
    else if (hadBefore.has(diagnostic.message)) warnings.push(`${diagnostic.message} (already so before this change)`);
    else refusals.push(diagnostic.message);
  }
  const ref = objectRef('Ingress', ingress.metadata);
  if (refusals.length === 0) return { allowed: true, warnings, ingressClass: after.ingressClass };
  return { allowed: false, message: `${ref}: ${refusals.join('; ')}`, warnings, ingressClass: after.ingressClass };
}

/** What translation reads of an Ingress: its spec, annotations and (legacy) class. */
function sameTranslationInput(a: V1Ingress, b: V1Ingress): boolean {
  return JSON.stringify([a.spec ?? null, a.metadata?.annotations ?? null]) === JSON.stringify([b.spec ?? null, b.metadata?.annotations ?? null]);
}

/** The Ingress's diagnostics in `state` with it put in; undefined when no class of ours takes it. */
function diagnosticsOf(state: ClusterState, ingress: V1Ingress, now: number, ownership: ClassOwnership): { ingressClass: string; diagnostics: Diagnostic[] } | undefined {
  const key = keyOf(ingress);
  const ingresses = [...state.ingresses.filter((i) => keyOf(i) !== key), ingress].sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
  const withIngress: ClusterState = { ...state, ingresses };
  const { ingressesByClass } = selectIngressClasses(withIngress, ownership);
  let ingressClass: string | undefined;
  for (const [name, members] of ingressesByClass) if (members.includes(ingress)) ingressClass = name;
  if (ingressClass === undefined) return undefined;
  // Only its class's Ingresses can affect it (each class is its own fleet): the rest are left out,
  // so a request costs one class's translation, not the cluster's.
  const sameClass = new Set(ingressesByClass.get(ingressClass));
  const config = buildEnvoyConfig({ ...withIngress, ingresses: ingresses.filter((i) => sameClass.has(i)) }, now, ownership);
  const ref = objectRef('Ingress', ingress.metadata);
  return { ingressClass, diagnostics: config.diagnostics.filter((d) => d.object === ref) };
}

function typedIngress(raw: unknown, namespace: string | undefined, name: string | undefined): V1Ingress | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  if (record['apiVersion'] !== 'networking.k8s.io/v1' || record['kind'] !== 'Ingress') return undefined;
  const check = checkSchema('Ingress', record);
  if (!check.ok) return undefined;
  const ingress = toTypedObject<V1Ingress>('Ingress', check.object);
  ingress.metadata ??= {};
  ingress.metadata.namespace ||= namespace || 'default';
  // A CREATE with generateName has no name yet: any stand-in that cannot collide will do.
  ingress.metadata.name ||= name || `${ingress.metadata.generateName ?? ''}portico-admission-pending`;
  return ingress;
}

function keyOf(ingress: V1Ingress): string {
  return `${ingress.metadata?.namespace ?? ''}/${ingress.metadata?.name ?? ''}`;
}
