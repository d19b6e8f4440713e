// Which address each class's Ingresses get in status.loadBalancer: the class's parameters
// (spec.statusAddress) when they say, else the operator's flags. A class whose parameters cannot
// be used is left out: like its Envoy configuration, its Ingress status keeps what it had.
import type { ClusterState, V1Ingress } from '../store/cluster-state.js';
import { DEFAULT_OWNERSHIP, selectIngressClasses } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import type { ClassParameters } from '../translate/parameters/resolve-class-parameters.js';
import type { AddressSource, LoadBalancerIngress } from './load-balancer-address.js';
import { loadBalancerIngress } from './load-balancer-address.js';

export interface IngressStatusTarget {
  ingressClass: string;
  ingresses: V1Ingress[];
  addresses: LoadBalancerIngress[];
}

export function ingressStatusTargets(
  state: ClusterState,
  classes: readonly ClassParameters[],
  fallback: AddressSource | undefined,
  ownership: ClassOwnership = DEFAULT_OWNERSHIP,
): IngressStatusTarget[] {
  const { ingressesByClass } = selectIngressClasses(state, ownership);
  const targets: IngressStatusTarget[] = [];
  for (const resolved of classes) {
    if (!resolved.accepted) continue;
    const source: AddressSource | undefined = resolved.parameters.statusAddress ?? fallback;
    if (!source) continue;
    targets.push({ ingressClass: resolved.ingressClass, ingresses: ingressesByClass.get(resolved.ingressClass) ?? [], addresses: loadBalancerIngress(source, state) });
  }
  return targets;
}
