// Kubernetes objects → IR for every IngressClass of ours. Pure and deterministic.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrFleet } from '../ir/types.js';
import type { ClusterState } from '../store/cluster-state.js';
import { BackendResolver } from './backends.js';
import { selectIngressClasses } from './ingress-classes.js';
import { translateFleet } from './translate-fleet.js';

export interface IrTranslation {
  fleets: IrFleet[];
  diagnostics: Diagnostic[];
}

export function translateToIr(state: ClusterState): IrTranslation {
  const { ours, ingressesByClass } = selectIngressClasses(state);
  const resolver = new BackendResolver(state);
  const fleets: IrFleet[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const ingressClass of ours) {
    const name = ingressClass.metadata?.name ?? '';
    const result = translateFleet(ingressClass, ingressesByClass.get(name) ?? [], resolver);
    fleets.push(result.fleet);
    diagnostics.push(...result.diagnostics);
  }
  return { fleets, diagnostics };
}
