import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../xds-server/src/test-support/seeded-random.js';
import { compareStrings } from '../../util/compare.js';
import type { ObjectChange } from './reflector.js';
import { SortedObjects } from './sorted-objects.js';

describe('SortedObjects', () => {
  it('keeps the objects in key order through random creates, updates, deletes and relists, never changing a list handed out', () => {
    const r = seededRandom(7);
    const store = new Map<string, { metadata: { namespace: string; name: string; resourceVersion: string } }>();
    const sorted = new SortedObjects();
    const all = (): unknown[] => [...store.values()];
    let handedOut = sorted.list(all);
    for (let step = 0; step < 2000; step++) {
      const before = [...handedOut];
      const changes: ObjectChange[] = [];
      for (let i = 0; i < 1 + Math.floor(r() * 3); i++) {
        const namespace = ['a', 'b', ''][Math.floor(r() * 3)] as string;
        const name = `o${Math.floor(r() * 40)}`;
        const key = `${namespace}/${name}`;
        const previous = store.get(key);
        if (previous && r() < 0.3) {
          store.delete(key);
          changes.push({ kind: 'Ingress', key, previous });
        } else {
          const current = { metadata: { namespace, name, resourceVersion: String(step) } };
          store.set(key, current);
          changes.push({ kind: 'Ingress', key, ...(previous ? { previous } : {}), current });
        }
      }
      sorted.apply(changes, r() < 0.02);
      const listed = sorted.list(all);
      const expected = [...store.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, object]) => object);
      expect(listed).toEqual(expected);
      expect(handedOut).toEqual(before);
      handedOut = listed;
    }
  });
});
