// Publishes a translated configuration: every fleet, and the removal of fleets that are gone.
// Shared by both modes, so standalone and cluster publish identically. A class whose parameters
// are missing or invalid is "held": the translator cannot say what its fleet should get, so its
// fleet keeps exactly what it was last served, never an empty configuration.
// `portico check` and `portico translate` publish to a server that serves nothing
// (validatePublication), so they report what serve's own publish would, in the same words.
import type { FleetResources, LeftOutRoute, PublishOptions, PublishProblem, ResourceOrigins } from '../../../xds-server/src/index.js';
import { XdsServer } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { EnvoyConfig } from '../pipeline.js';
import { compareStrings } from '../util/compare.js';

/** The part of the xDS server publishing needs. */
export interface FleetPublisher {
  publishFleet(fleet: string, resources: FleetResources, origins?: ResourceOrigins, options?: PublishOptions): { changed: readonly string[]; problems?: readonly PublishProblem[] };
  removeFleet(fleet: string): boolean;
}

export interface ServedFleet {
  fleet: string;
  ingressClass: string;
}

export interface Publication {
  /** Every fleet now served, sorted by class: the published ones and the held ones. */
  served: ServedFleet[];
  /** Fleets whose configuration changed (published with new bytes, or removed). */
  changed: string[];
  /** Fleets left as they were because their class's parameters cannot be used. */
  held: ServedFleet[];
  /**
   * What the server refused to serve (it breaks Envoy's validation rules: errors) and the routes
   * the fleet's gRPC view leaves out for proxyless clients (info: docs/proxyless-grpc.md), on the
   * objects that made them; absent when there is neither.
   */
  problems?: Diagnostic[];
  /** The refusals behind the errors of `problems`, per fleet, as the server gave them; absent when none. */
  rejected?: RejectedResource[];
}

/** A resource, or a virtual host of a route table, the server refused for a fleet. */
export interface RejectedResource {
  fleet: string;
  ingressClass: string;
  problem: PublishProblem;
}

export function publishConfig(publisher: FleetPublisher, config: Pick<EnvoyConfig, 'fleets' | 'held'>, previouslyServed: readonly ServedFleet[]): Publication {
  const changed: string[] = [];
  const problems: Diagnostic[] = [];
  const rejected: RejectedResource[] = [];
  for (const fleet of config.fleets) {
    const options = { virtualHostDiscovery: fleet.virtualHostDiscovery, grpc: fleet.grpc };
    const result = publisher.publishFleet(fleet.fleet, fleet.resources, fleet.origins, options);
    if (result.changed.length > 0) changed.push(fleet.fleet);
    for (const problem of result.problems ?? []) {
      problems.push(...problemDiagnostics(fleet.ingressClass, problem));
      rejected.push({ fleet: fleet.fleet, ingressClass: fleet.ingressClass, problem });
    }
    for (const route of fleet.grpc.leftOut) problems.push(...leftOutDiagnostics(fleet.ingressClass, route));
  }
  const current = new Set(config.fleets.map((f) => f.fleet));
  const heldClasses = new Set(config.held.map((h) => h.ingressClass));
  // A held class's old fleet stays, unless a class with usable parameters now serves that name.
  const held = previouslyServed.filter((old) => heldClasses.has(old.ingressClass) && !current.has(old.fleet));
  const kept = new Set(held.map((h) => h.fleet));
  for (const old of previouslyServed) {
    if (!current.has(old.fleet) && !kept.has(old.fleet) && publisher.removeFleet(old.fleet)) changed.push(old.fleet);
  }
  const served = [...config.fleets.map((f) => ({ fleet: f.fleet, ingressClass: f.ingressClass })), ...held].sort((a, b) => compareStrings(a.ingressClass, b.ingressClass));
  return { served, changed, held, ...(problems.length > 0 ? { problems } : {}), ...(rejected.length > 0 ? { rejected } : {}) };
}

/**
 * What `portico serve` would report on publishing `config` first: every fleet goes through the
 * xDS server's own publish (the same views, the same per-resource and per-virtual-host checks
 * against Envoy's validation rules, the same diagnostics) on a server that is never started and
 * has served nothing, so a refused resource or host has no last good version to keep ("it is not
 * served", "it is left out"). What `portico check` and `portico translate` judge with.
 */
export function validatePublication(config: Pick<EnvoyConfig, 'fleets' | 'held'>): Pick<Publication, 'problems' | 'rejected'> {
  const { problems, rejected } = publishConfig(new XdsServer(), config, []);
  return { ...(problems ? { problems } : {}), ...(rejected ? { rejected } : {}) };
}

/** A refused resource, told to each object that made it (or to its class when none is known). */
function problemDiagnostics(ingressClass: string, problem: PublishProblem): Diagnostic[] {
  const message = `the Envoy ${problem.kind} ${problem.name} made from this object cannot be served as it is: ${problem.message}`;
  const objects = problem.origins.length > 0 ? problem.origins : [`IngressClass ${ingressClass}`];
  return objects.map((object) => ({ object, severity: 'error', message }));
}

/**
 * A route Envoy serves but proxyless gRPC clients do not get, told as info: most fleets have no
 * such client, and Envoy serves the route as written (docs/proxyless-grpc.md, "What proxyless
 * clients cannot use"). A client that does get a table it cannot use NACKs it: that is an error.
 */
export function leftOutDiagnostics(ingressClass: string, route: LeftOutRoute): Diagnostic[] {
  const message = `route ${route.route} (host ${route.virtualHost}) is left out for proxyless gRPC clients: ${route.reason}; Envoy still serves it`;
  const objects = route.origins.length > 0 ? route.origins : [`IngressClass ${ingressClass}`];
  return objects.map((object) => ({ object, severity: 'info', message }));
}
