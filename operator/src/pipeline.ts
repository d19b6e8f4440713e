// The whole translation, start to end: Kubernetes objects → IR → Envoy resources per fleet.
// Pure: no I/O; the same ClusterState in any order, at the same instant, gives byte-identical
// output. The instant and the ownership (which classes are this operator's) are the inputs besides
// the state: certificates are valid or expired at the instant.
import type { FleetResources, GrpcView, ResourceOrigins } from '../../xds-server/src/index.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { toFleetResources } from './envoy/fleet-resources.js';
import { grpcView } from './envoy/grpc-view/index.js';
import type { IrFleet, IrHeldClass } from './ir/types.js';
import { validateIrFleet } from './ir/validate-ir.js';
import type { ClusterState } from './store/cluster-state.js';
import type { ClassParameters } from './translate/parameters/resolve-class-parameters.js';
import { DEFAULT_OWNERSHIP } from './translate/ingress-classes.js';
import type { ClassOwnership } from './translate/ingress-classes.js';
import { translateToIr } from './translate/translate.js';
import type { IrTranslation } from './translate/translate.js';
import { compareStrings } from './util/compare.js';

export interface FleetConfig {
  /** The IngressClass this fleet serves. */
  ingressClass: string;
  /** What Envoys put in node.cluster to receive this configuration (the class name by default). */
  fleet: string;
  resources: FleetResources;
  origins: ResourceOrigins;
  /**
   * What proxyless gRPC clients get besides `resources` (API listeners and their route tables, SotW
   * only), and the routes left out of it: docs/proxyless-grpc.md.
   */
  grpc: GrpcView;
  /** Delta clients get the route tables split per host (VHDS); the class opted in and may. */
  virtualHostDiscovery: boolean;
  /** When each served certificate (SDS name) ends, for the expiry metric. */
  certificates: { name: string; notAfterMs: number }[];
}

export interface EnvoyConfig {
  /** One per IngressClass of ours whose parameters are usable, sorted by class name. */
  fleets: FleetConfig[];
  /** Classes whose parameters are missing or invalid: publishing keeps their last good fleet. */
  held: IrHeldClass[];
  /** Every class of ours and its parameters (for status: addresses, parameters status). */
  classes: ClassParameters[];
  /** Grouped by object (sorted); within an object, in the order the fields were read. */
  diagnostics: Diagnostic[];
}

/** @param ownership which IngressClasses are this operator's: its controller name (and optionally a class list). */
export function buildEnvoyConfig(state: ClusterState, now: number = Date.now(), ownership: ClassOwnership = DEFAULT_OWNERSHIP): EnvoyConfig {
  return envoyConfigOf(translateToIr(state, now, ownership));
}

/** The Envoy stage of a whole translation: every sound fleet, as FleetConfigs. */
export function envoyConfigOf(ir: IrTranslation): EnvoyConfig {
  const held = [...ir.held];
  const bugs: Diagnostic[] = [];
  // The Envoy stage takes the IR's rules for granted: a fleet that breaks them (a Portico bug) is
  // held at its last good configuration instead of being sent.
  const sound = ir.fleets.filter((fleet) => {
    const problems = validateIrFleet(fleet);
    if (problems.length === 0) return true;
    held.push({ ingressClass: fleet.ingressClass, reason: `internal error: ${problems.slice(0, 3).join('; ')}` });
    bugs.push({ object: `IngressClass ${fleet.ingressClass}`, severity: 'error', message: `Portico translated this class into configuration that breaks its own rules (${problems.slice(0, 3).join('; ')}); the fleet keeps its last good configuration. This is a bug in Portico: please report it` });
    return false;
  });
  const diagnostics = [...ir.diagnostics, ...bugs].sort((a, b) => compareStrings(a.object, b.object));
  return { fleets: sound.map((fleet) => fleetConfigOf(fleet)), held: held.sort((a, b) => compareStrings(a.ingressClass, b.ingressClass)), classes: ir.classes, diagnostics };
}

/**
 * One sound IR fleet → what the xDS server is given for it. `previous`: the fleet before an edit
 * (incremental translation) and what it was given, which the unchanged parts are taken from.
 */
export function fleetConfigOf(fleet: IrFleet, previous?: { ir: IrFleet; config: FleetConfig }): FleetConfig {
  const built = toFleetResources(fleet, previous && { fleet: previous.ir, resources: previous.config.resources });
  return {
    ingressClass: fleet.ingressClass,
    fleet: fleet.fleet,
    ...built,
    grpc: grpcView(fleet, built, previous?.config.grpc),
    virtualHostDiscovery: fleet.xds.virtualHostDiscovery,
    certificates: fleet.certificates.map(({ name, notAfterMs }) => ({ name, notAfterMs })),
  };
}
