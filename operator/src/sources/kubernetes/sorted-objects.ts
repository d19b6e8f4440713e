// One kind's objects in key order (namespace/name, as ClusterState lists them), kept sorted as
// changes arrive instead of sorted again on every snapshot: a change costs a binary search and
// a copy of the arrays (a snapshot handed out earlier is never changed under its reader).
import { compareStrings, lowerBound } from '../../util/compare.js';
import type { ObjectChange } from './reflector.js';

type Named = { metadata?: { namespace?: string; name?: string } };

export class SortedObjects {
  private keys: string[] | undefined;
  private objects: unknown[] = [];

  /** The objects in key order; `all` (in any order) is read only when nothing is cached. */
  list<T>(all: () => T[]): T[] {
    if (!this.keys) {
      const entries = all().map((object) => [keyOf(object as Named), object] as const).sort(([a], [b]) => compareStrings(a, b));
      this.keys = entries.map(([key]) => key);
      this.objects = entries.map(([, object]) => object);
    }
    return this.objects as T[];
  }

  /** Changes of this kind, in the order they happened; a relist forgets the order instead. */
  apply(changes: readonly ObjectChange[], relisted: boolean): void {
    if (relisted || !this.keys) {
      this.keys = undefined;
      return;
    }
    const keys = [...this.keys];
    const objects = [...this.objects];
    for (const { key, current } of changes) {
      const at = lowerBound(keys, key, (k) => k);
      const present = keys[at] === key;
      if (current === undefined) {
        if (present) {
          keys.splice(at, 1);
          objects.splice(at, 1);
        }
      } else if (present) objects[at] = current;
      else {
        keys.splice(at, 0, key);
        objects.splice(at, 0, current);
      }
    }
    this.keys = keys;
    this.objects = objects;
  }
}

function keyOf(object: Named): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
