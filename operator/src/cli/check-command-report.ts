// What `portico check` finds, without I/O: for each Ingress, how Portico treats each annotation it
// carries (the catalog, annotations/catalog.ts), the diagnostics the real translation reports on it
// (pipeline.ts), plus what publishing reports (validatePublication, the xDS server's own publish:
// resources and virtual hosts that break Envoy's validation rules, errors; routes the gRPC view
// leaves out, info), as `portico translate` and `serve` report them, and whether it would be served.
//
// Whether an Ingress is served is read from the IR and the server's refusals, not guessed from
// message texts: a route whose action is `deny` answers 503 (refused access control, fail closed);
// an Ingress of ours with errors and no route at all in its fleet (taken as its own, or as a
// canary's share of another's) reaches nobody (every path refused, taken by an older Ingress, or
// left out), and neither does one whose every route is on a host no route table of Envoy's keeps
// (the server refused the host or its table); its class held (parameters unusable) means no fleet
// is built from it. Error diagnostics on the Ingress otherwise mean it is served, but not as
// written. Info diagnostics are listed and judge nothing.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrFleet, IrRoute } from '../ir/types.js';
import { buildEnvoyConfig } from '../pipeline.js';
import type { FleetConfig } from '../pipeline.js';
import type { RejectedResource } from '../serve/fleet-publication.js';
import { validatePublication } from '../serve/fleet-publication.js';
import type { ClusterState, V1Ingress } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { isAccessControl } from '../translate/annotations/access-control.js';
import { catalogEntry } from '../translate/annotations/catalog.js';
import { NGINX_PREFIX } from '../translate/annotations/prefix.js';
import { DEFAULT_OWNERSHIP, LEGACY_CLASS_ANNOTATION, selectIngressClasses } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import type { ClassParameters } from '../translate/parameters/resolve-class-parameters.js';
import { translateToIr } from '../translate/translate.js';
import { compareStrings } from '../util/compare.js';

/** The version of the JSON document (`-o json`); bumped only when a field changes meaning or goes. */
export const CHECK_SCHEMA_VERSION = 1;

export type Verdict =
  /** Every route it asks for is served as written; no diagnostic. */
  | 'served'
  /** Served; warnings say what differs from ingress-nginx or what has no effect. */
  | 'served-with-warnings'
  /** Served in part or not as written: error diagnostics say what (a path left out, a backend missing, a value ignored). */
  | 'served-with-errors'
  /** No request reaches its backends: its routes answer 503 (refused access control), it has no route, or its class is held. */
  | 'not-served'
  /** Another controller's class, or no class at all: Portico leaves it alone. */
  | 'not-ours';

export const VERDICT_TEXT: Record<Verdict, string> = {
  served: 'served',
  'served-with-warnings': 'served with warnings',
  'served-with-errors': 'served with errors',
  'not-served': 'not served',
  'not-ours': 'not ours',
};

export type AnnotationSupport =
  /** Catalog levels (annotations/support.ts). */
  | 'honoured'
  | 'approximated'
  | 'refused'
  | 'no-op'
  | 'unsupported'
  /** An nginx.ingress.kubernetes.io/ annotation the catalog does not list: no effect. */
  | 'unknown'
  /** The class's parameters turn the nginx family off (annotationFamilies.nginx: false). */
  | 'ignored'
  /** Not an ingress-nginx annotation and not read by Portico (another tool's, or kubectl's). */
  | 'other';

export interface AnnotationVerdict {
  name: string;
  support: AnnotationSupport;
  /** What differs from ingress-nginx, or why it has no effect. */
  note?: string;
  /** Diagnostics on the Ingress that name this annotation (a bad value, a refusal); info is not a problem. */
  problems?: ('error' | 'warning')[];
}

export interface IngressCheck {
  namespace: string;
  name: string;
  /** "Ingress namespace/name", as diagnostics name it. */
  object: string;
  /** The class it belongs to, when it names one or a default class applies. */
  ingressClass?: string;
  verdict: Verdict;
  /** Why the verdict is not "served", in a few words each. */
  reasons: string[];
  annotations: AnnotationVerdict[];
  /** Translation and publishing diagnostics naming this Ingress, in the order reported (info included). */
  diagnostics: { severity: Diagnostic['severity']; message: string }[];
}

export interface CheckReport {
  schemaVersion: typeof CHECK_SCHEMA_VERSION;
  ingresses: IngressCheck[];
  /** Diagnostics on other objects: files, IngressClasses, parameters, Services, Secrets. */
  diagnostics: Diagnostic[];
  summary: Record<Verdict, number> & { ingresses: number };
}

export interface CheckOptions {
  now?: number;
  ownership?: ClassOwnership;
  /** Only report Ingresses (and other objects) of this namespace; every one when absent. */
  namespace?: string;
  /** Problems found reading the input (files, documents), reported with the other diagnostics. */
  inputProblems?: readonly Diagnostic[];
}

export function checkState(state: ClusterState, options: CheckOptions = {}): CheckReport {
  const now = options.now ?? Date.now();
  const ownership = options.ownership ?? DEFAULT_OWNERSHIP;
  // Two passes of the same pure translation: the pipeline's for exactly what serve reports (and
  // the Envoy resources it publishes), the IR for which routes each Ingress got.
  const config = buildEnvoyConfig(state, now, ownership);
  const ir = translateToIr(state, now, ownership);
  const published = validatePublication(config);
  const diagnostics = [...(options.inputProblems ?? []), ...config.diagnostics, ...(published.problems ?? [])];
  const envoyFleets = new Map(config.fleets.map((fleet) => [fleet.ingressClass, fleet]));
  const refused = new Map<string, Set<string>>();
  const hostsRefused = (className: string): Set<string> => {
    let hosts = refused.get(className);
    if (!hosts) refused.set(className, (hosts = refusedHosts(envoyFleets.get(className), (published.rejected ?? []).filter((r) => r.ingressClass === className))));
    return hosts;
  };

  const { ingressesByClass } = selectIngressClasses(state, ownership);
  const classOf = new Map<V1Ingress, string>();
  for (const [className, ingresses] of ingressesByClass) for (const ingress of ingresses) classOf.set(ingress, className);
  const fleets = new Map(ir.fleets.map((fleet) => [fleet.ingressClass, fleet]));
  const classes = new Map(ir.classes.map((c) => [c.ingressClass, c]));
  const byObject = new Map<string, Diagnostic[]>();
  for (const diagnostic of diagnostics) byObject.set(diagnostic.object, [...(byObject.get(diagnostic.object) ?? []), diagnostic]);

  const inScope = (namespace: string | undefined): boolean => options.namespace === undefined || namespace === undefined || namespace === options.namespace;
  const ingresses: IngressCheck[] = [];
  const reported = new Set<string>();
  for (const ingress of state.ingresses) {
    const namespace = ingress.metadata?.namespace ?? 'default';
    if (!inScope(namespace)) continue;
    const object = objectRef('Ingress', ingress.metadata);
    reported.add(object);
    const ours = classOf.get(ingress);
    const own = byObject.get(object) ?? [];
    const check: IngressCheck = {
      namespace,
      name: ingress.metadata?.name ?? '',
      object,
      ...(ours ?? explicitClassOf(ingress) ? { ingressClass: ours ?? explicitClassOf(ingress) } : {}),
      verdict: 'served',
      reasons: [],
      annotations: [],
      diagnostics: own.map(({ severity, message }) => ({ severity, message })),
    };
    if (ours === undefined) {
      check.verdict = 'not-ours';
      check.reasons.push(notOursReason(ingress, state, ownership));
    } else {
      const parameters = classes.get(ours);
      check.annotations = annotationVerdicts(ingress, parameters, own);
      judge(check, ours, fleets.get(ours), parameters, own, hostsRefused(ours));
    }
    ingresses.push(check);
  }
  ingresses.sort((a, b) => compareStrings(a.object, b.object));

  // Diagnostics of Ingresses out of scope stay out with them; the rest is told once, here.
  const others = diagnostics.filter((d) => !reported.has(d.object) && inScope(namespaceOf(d.object)));
  const summary = { ingresses: ingresses.length, served: 0, 'served-with-warnings': 0, 'served-with-errors': 0, 'not-served': 0, 'not-ours': 0 };
  for (const check of ingresses) summary[check.verdict]++;
  return { schemaVersion: CHECK_SCHEMA_VERSION, ingresses, diagnostics: others, summary };
}

/** True when something would not be served as written: what makes `portico check` exit 1. */
export function hasProblems(report: CheckReport): boolean {
  return report.summary['not-served'] > 0 || report.summary['served-with-errors'] > 0 || report.diagnostics.some((d) => d.severity === 'error');
}

function judge(check: IngressCheck, className: string, fleet: IrFleet | undefined, parameters: ClassParameters | undefined, own: readonly Diagnostic[], refusedHosts: ReadonlySet<string>): void {
  if (!fleet || parameters?.accepted === false) {
    const why = parameters?.accepted === false ? parameters.problems.join('; ') : 'no fleet is built for it';
    check.verdict = 'not-served';
    check.reasons.push(`its IngressClass ${className} is held (${why}): nothing is served from it until its parameters can be used`);
    return;
  }
  const routes = routesOf(fleet, check.object);
  const denied = routes.filter((route) => route.action.kind === 'deny');
  const errors = own.filter((d) => d.severity === 'error').length;
  const warnings = own.filter((d) => d.severity === 'warning').length;
  const reachable = routesOf(fleet, check.object, refusedHosts);
  if (denied.length > 0) {
    check.verdict = 'not-served';
    // Refused annotations, and access control whose value cannot be honoured (an error on it).
    const closedBy = check.annotations.filter((a) => a.support === 'refused' || (a.problems?.includes('error') && catalogEntry(a.name)?.accessControl)).map((a) => a.name);
    check.reasons.push(`its routes answer 503: access control Portico does not honour${closedBy.length > 0 ? ` (${closedBy.join(', ')})` : ''}`);
  } else if (routes.length === 0 && errors > 0) {
    check.verdict = 'not-served';
    check.reasons.push('no route of it is served (every path was refused, left out, or is routed by an older Ingress)');
  } else if (reachable.length === 0 && errors > 0) {
    check.verdict = 'not-served';
    check.reasons.push("no route of it is served: Envoy's validation rules refuse the configuration of its hosts, so the server leaves them out (see the errors)");
  } else if (errors > 0) {
    check.verdict = 'served-with-errors';
    check.reasons.push(`${errors} error${errors === 1 ? '' : 's'}: not served as written`);
  } else if (warnings > 0) {
    check.verdict = 'served-with-warnings';
    // Nothing refused, yet no route: it asks for nothing a route is needed for (a canary to the
    // primary's own backend, rules without paths); the warnings say so.
    if (routes.length === 0) check.reasons.push('it makes no route of its own (see the warnings)');
  }
}

/**
 * Every route of the fleet an Ingress made, or takes part in (a canary's share of another's
 * route), leaving out those of the hosts in `without`.
 */
function routesOf(fleet: IrFleet, object: string, without: ReadonlySet<string> = new Set()): IrRoute[] {
  const routes: IrRoute[] = [];
  for (const host of fleet.virtualHosts) {
    if (without.has(host.host)) continue;
    for (const route of [...host.routes, ...(host.fallthrough ?? [])]) {
      if (route.origin === object || (route.action.kind === 'forward' && route.action.canary?.origin === object)) routes.push(route);
    }
  }
  return routes;
}

/**
 * The hosts (IR host names, which are the Envoy virtual hosts' names) that no route table of the
 * fleet's Envoys serves once the server has refused what breaks Envoy's validation rules: a host
 * refused in every table that has it, or whose tables are refused whole (a table, or the listener
 * it is named after: envoy/fleet-resources.ts names each table after its listener). The gRPC and
 * VHDS views' refusals are errors too, but do not take a host away from Envoy's listeners.
 */
function refusedHosts(fleet: FleetConfig | undefined, rejected: readonly RejectedResource[]): Set<string> {
  if (!fleet || rejected.length === 0) return new Set();
  const tablesOut = new Set<string>();
  const hostsOut = new Map<string, Set<string>>();
  for (const { problem } of rejected) {
    if (problem.kind === 'listener' || (problem.kind === 'routeConfiguration' && problem.virtualHost === undefined)) tablesOut.add(problem.name);
    else if (problem.kind === 'routeConfiguration' && problem.virtualHost !== undefined) hostsOut.set(problem.name, (hostsOut.get(problem.name) ?? new Set()).add(problem.virtualHost));
  }
  const all = new Set<string>();
  const served = new Set<string>();
  for (const table of fleet.resources.routeConfigurations) {
    const name = table.name ?? '';
    for (const host of table.virtual_hosts ?? []) {
      all.add(host.name ?? '');
      if (!tablesOut.has(name) && !hostsOut.get(name)?.has(host.name ?? '')) served.add(host.name ?? '');
    }
  }
  return new Set([...all].filter((host) => !served.has(host)));
}

function annotationVerdicts(ingress: V1Ingress, parameters: ClassParameters | undefined, own: readonly Diagnostic[]): AnnotationVerdict[] {
  const nginxOff = parameters?.accepted === true && !parameters.parameters.nginxAnnotations;
  return Object.keys(ingress.metadata?.annotations ?? {})
    .sort(compareStrings)
    .map((name) => {
      const verdict = annotationVerdict(name, nginxOff);
      const named = new RegExp(`(^|[\\s"\\[,])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[\\s"\\],;:])`);
      const problems = own.filter((d) => d.severity !== 'info' && named.test(d.message)).map((d) => d.severity as 'error' | 'warning');
      return problems.length > 0 ? { ...verdict, problems } : verdict;
    });
}

/** How Portico treats one annotation of an Ingress of one of its classes. */
export function annotationVerdict(name: string, nginxOff = false): AnnotationVerdict {
  if (!name.startsWith(NGINX_PREFIX)) {
    if (name === LEGACY_CLASS_ANNOTATION) return { name, support: 'honoured', note: 'selects the IngressClass when spec.ingressClassName is empty' };
    return { name, support: 'other', note: 'not an ingress-nginx annotation; Portico does not read it' };
  }
  const entry = catalogEntry(name);
  // Access control is refused whatever the family setting: its authors believe it protects.
  if (isAccessControl(name) && (entry?.support ?? 'refused') === 'refused') {
    return { name, support: 'refused', note: entry?.note ?? (entry ? 'access control Portico does not honour' : 'an auth-* annotation Portico does not know: taken as access control it does not honour') };
  }
  if (nginxOff) return { name, support: 'ignored', note: "the class's parameters turn the nginx annotation family off" };
  if (!entry) return { name, support: 'unknown', note: 'not an ingress-nginx annotation Portico knows; no effect' };
  return { name, support: entry.support, ...(entry.note !== undefined ? { note: entry.note } : {}) };
}

function explicitClassOf(ingress: V1Ingress): string | undefined {
  return ingress.spec?.ingressClassName ?? ingress.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
}

function notOursReason(ingress: V1Ingress, state: ClusterState, ownership: ClassOwnership): string {
  const className = explicitClassOf(ingress);
  if (className === undefined) return 'it names no IngressClass, and no default IngressClass is Portico\'s';
  const ingressClass = state.ingressClasses.find((c) => c.metadata?.name === className);
  if (!ingressClass) return `its IngressClass ${className} does not exist`;
  const controller = ingressClass.spec?.controller ?? '';
  if (controller === ownership.controllerName) return `IngressClass ${className} is not among the classes this install serves (--ingress-classes)`;
  return `IngressClass ${className} belongs to controller ${controller || '(none)'}, not ${ownership.controllerName}`;
}

/** The namespace in "Kind namespace/name"; undefined for cluster-scoped objects and files. */
function namespaceOf(object: string): string | undefined {
  const match = /^[A-Z][A-Za-z]* ([a-z0-9-]+)\/[^/\s]+$/.exec(object);
  return match?.[1];
}
