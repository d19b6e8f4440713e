// Kubernetes objects → IR for every IngressClass of ours. Pure and deterministic.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrFleet, IrHeldClass } from '../ir/types.js';
import type { ClusterState } from '../store/cluster-state.js';
import { BackendResolver } from './backends.js';
import { assignFleets } from './fleet-names.js';
import { DEFAULT_OWNERSHIP, selectIngressClasses } from './ingress-classes.js';
import type { ClassOwnership } from './ingress-classes.js';
import type { ClassParameters } from './parameters/resolve-class-parameters.js';
import { describeRef, resolveClassParameters } from './parameters/resolve-class-parameters.js';
import { virtualHostDiscoveryFor } from './parameters/virtual-host-discovery.js';
import type { StatusAddress } from './parameters/fleet-parameters.js';
import { translateFleet } from './translate-fleet.js';
import { SecretIndex } from './tls/secret-index.js';

export interface IrTranslation {
  fleets: IrFleet[];
  /** Classes whose parameters are missing or invalid: their fleets keep what they were served. */
  held: IrHeldClass[];
  /** Every class of ours with its parameters (or why they cannot be used), sorted by class name. */
  classes: ClassParameters[];
  diagnostics: Diagnostic[];
}

/**
 * @param now milliseconds since the epoch: when certificates are judged valid or expired.
 * @param ownership which IngressClasses are this operator's (its controller name, optionally a list).
 */
export function translateToIr(state: ClusterState, now: number, ownership: ClassOwnership = DEFAULT_OWNERSHIP): IrTranslation {
  const { ours, ingressesByClass } = selectIngressClasses(state, ownership);
  const resolver = new BackendResolver(state);
  const secrets = new SecretIndex(state.secrets, now);
  const classes = assignFleets(ours.map((ingressClass) => resolveClassParameters(ingressClass, state)));
  const fleets: IrFleet[] = [];
  const held: IrHeldClass[] = [];
  const diagnostics: Diagnostic[] = [];
  ours.forEach((ingressClass, i) => {
    const name = ingressClass.metadata?.name ?? '';
    const resolved = classes[i];
    if (!resolved) return;
    if (!resolved.accepted) {
      for (const problem of resolved.problems) diagnostics.push({ object: `IngressClass ${name}`, severity: 'error', message: problem });
      held.push({ ingressClass: name, reason: resolved.problems.join('; ') });
      return;
    }
    const vhds = virtualHostDiscoveryFor(resolved.parameters.envoy);
    if (vhds.state === 'refused') {
      const where = resolved.ref ? `${describeRef(resolved.ref)}: ` : '';
      diagnostics.push({ object: `IngressClass ${name}`, severity: 'warning', message: `spec.parameters: ${where}${vhds.message}` });
    }
    const result = translateFleet(ingressClass, ingressesByClass.get(name) ?? [], resolver, secrets, resolved.parameters, resolved.ref?.namespace);
    fleets.push(result.fleet);
    diagnostics.push(...result.diagnostics);
    const missing = missingStatusService(resolved.parameters.statusAddress, state);
    if (missing) diagnostics.push({ object: `IngressClass ${name}`, severity: 'warning', message: `spec.parameters: statusAddress.service ${missing} does not exist, so the Ingresses of this class get no address in their status until it does` });
  });
  diagnostics.push(...resolver.problems());
  return { fleets, held, classes, diagnostics };
}

/** The status Service the parameters name when it is not there (a typo, or the fleet not installed yet). */
function missingStatusService(address: StatusAddress | undefined, state: ClusterState): string | undefined {
  if (address?.kind !== 'service') return undefined;
  const found = state.services.some((s) => s.metadata?.namespace === address.namespace && s.metadata?.name === address.name);
  return found ? undefined : `${address.namespace}/${address.name}`;
}
