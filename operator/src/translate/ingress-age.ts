// Conflicts between Ingresses are settled by age: the oldest Ingress keeps what it claimed first.
// Ties (and manifests without timestamps) fall back to namespace/name, so the winner never
// depends on the order objects arrived in.
import type { V1Ingress } from '../store/cluster-state.js';
import { compareStrings } from '../util/compare.js';

export function compareIngressAge(a: V1Ingress, b: V1Ingress): number {
  const byTime = createdAt(a) - createdAt(b);
  if (byTime !== 0) return byTime;
  return compareStrings(namespacedName(a), namespacedName(b));
}

/** Objects without a creationTimestamp (plain manifests) count as newest. */
function createdAt(ingress: V1Ingress): number {
  const created = ingress.metadata?.creationTimestamp;
  return created instanceof Date && !Number.isNaN(created.getTime()) ? created.getTime() : Number.MAX_SAFE_INTEGER;
}

export function namespacedName(ingress: V1Ingress): string {
  return `${ingress.metadata?.namespace ?? 'default'}/${ingress.metadata?.name ?? ''}`;
}
