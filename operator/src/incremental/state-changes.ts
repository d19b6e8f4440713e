// What changed between two ClusterStates read whole (the manifest folder, which has no watch
// events): the Ingresses that are other objects, or "everything" when anything else differs.
// The manifest cache hands unchanged files' objects over again, so identity says "unchanged".
import type { ChangeScope } from '../relevance/change-scope.js';
import { EVERYTHING } from '../relevance/change-scope.js';
import type { ClusterState } from '../store/cluster-state.js';

type Named = { metadata?: { namespace?: string; name?: string } };

const keyOf = (o: Named): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export function changesBetween(before: ClusterState | undefined, after: ClusterState): ChangeScope {
  if (!before) return EVERYTHING;
  for (const kind of Object.keys(after) as (keyof ClusterState)[]) {
    if (kind !== 'ingresses' && !sameObjects(before[kind], after[kind])) return EVERYTHING;
  }
  const previous = new Map(before.ingresses.map((i) => [keyOf(i), i]));
  const ingresses = new Set<string>();
  for (const ingress of after.ingresses) {
    const key = keyOf(ingress);
    if (previous.get(key) !== ingress) ingresses.add(key);
    previous.delete(key);
  }
  for (const key of previous.keys()) ingresses.add(key);
  return { full: false, ingresses, services: new Set() };
}

function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((object) => set.has(object));
}
