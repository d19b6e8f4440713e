// What changed between two ClusterStates read whole (the manifest folder, which has no watch
// events): the Ingresses that are other objects, or "everything" when anything else differs.
// The manifest cache hands unchanged files' objects over again, so identity says "unchanged".
import type { ChangeScope } from '../relevance/change-scope.js';
import { EVERYTHING } from '../relevance/change-scope.js';
import type { ClusterState } from '../store/cluster-state.js';
import { sameItems } from '../util/compare.js';

type Named = { metadata?: { namespace?: string; name?: string } };

const keyOf = (o: Named): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export function changesBetween(before: ClusterState | undefined, after: ClusterState): ChangeScope {
  if (!before) return EVERYTHING;
  for (const kind of Object.keys(after) as (keyof ClusterState)[]) {
    if (kind !== 'ingresses' && !sameObjects(before[kind], after[kind])) return EVERYTHING;
  }
  return { full: false, ingresses: changedIngresses(before.ingresses, after.ingresses), services: new Set() };
}

/**
 * `after` with every list that holds the very objects of `before`'s, in the same order, replaced
 * by `before`'s: what is made of a whole list (indexes of Services and slices, the translator's
 * memos) is then not made again for an edit elsewhere.
 */
export function keptLists(before: ClusterState | undefined, after: ClusterState): ClusterState {
  if (!before) return after;
  const kept = { ...after };
  for (const kind of Object.keys(after) as (keyof ClusterState)[]) {
    if (sameItems(before[kind], after[kind])) (kept as Record<string, unknown>)[kind] = before[kind];
  }
  return kept;
}

/** Keys of the Ingresses that are other objects, came or went: by position first, by key when they moved. */
function changedIngresses(before: readonly Named[], after: readonly Named[]): Set<string> {
  const changed = new Set<string>();
  if (before.length === after.length) {
    let moved = false;
    for (let i = 0; i < after.length && !moved; i++) {
      const was = before[i] as Named;
      const is = after[i] as Named;
      if (was === is) continue;
      if (keyOf(was) === keyOf(is)) changed.add(keyOf(is));
      else moved = true;
    }
    if (!moved) return changed;
    changed.clear();
  }
  const previous = new Map(before.map((i) => [keyOf(i), i]));
  for (const ingress of after) {
    const key = keyOf(ingress);
    if (previous.get(key) !== ingress) changed.add(key);
    previous.delete(key);
  }
  for (const key of previous.keys()) changed.add(key);
  return changed;
}

function sameObjects(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (sameItems(a, b)) return true;
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((object) => set.has(object));
}
