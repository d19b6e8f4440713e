import { describe, expect, it } from 'vitest';
import { seededRandom } from '../test-support/seeded-random.js';
import { sortedByName } from './sorted-by-name.js';
import type { SortedByName } from './sorted-by-name.js';

interface Named {
  name: string;
  content: number;
}

const copy = (entry: Named, list: number): Named & { list: number } => ({ ...entry, list });

describe('sortedByName', () => {
  it('sorts stably by name across lists, and says where each entry went', () => {
    const a = [{ name: 'b', content: 1 }, { name: 'a', content: 2 }];
    const b = [{ name: 'a', content: 3 }, { name: 'c', content: 4 }];
    const made = sortedByName([a, b], copy);
    expect(made.sorted.map((item) => `${item.name}${item.content}`)).toEqual(['a2', 'a3', 'b1', 'c4']);
    expect(made.positions).toEqual([[2, 0], [1, 3]]);
  });

  it('made from the previous list, equals sorting anew, over random edits; replaced in place when names stay', () => {
    const random = seededRandom(7);
    const pick = (n: number): number => Math.floor(random() * n);
    let lists: Named[][] = [Array.from({ length: 20 }, (_, i) => ({ name: `n${i}`, content: 0 })), Array.from({ length: 5 }, (_, i) => ({ name: `m${i}`, content: 0 }))];
    let previous: SortedByName<Named, Named & { list: number }> | undefined;
    let inPlace = 0;
    for (let step = 0; step < 500; step++) {
      lists = lists.map((list) => [...list]);
      const list = lists[pick(lists.length)] as Named[];
      const at = pick(list.length);
      const kind = pick(10);
      if (kind < 6) list[at] = { name: (list[at] as Named).name, content: step }; // same name, new object
      else if (kind === 6) list[at] = { name: `r${step}`, content: step }; // renamed
      else if (kind === 7) list.splice(at, 0, { name: `i${step}`, content: step }); // one comes
      else if (kind === 8 && list.length > 1) list.splice(at, 1); // one goes
      // else: nothing changes
      const made = sortedByName(lists, copy, previous);
      const anew = sortedByName(lists, copy);
      expect(made.sorted, `step ${step}`).toEqual(anew.sorted);
      expect(made.positions, `step ${step}`).toEqual(anew.positions);
      if (previous && made.positions === previous.positions) inPlace++;
      previous = made;
    }
    // Most steps keep every name in its place: those take the previous list's positions as they are.
    expect(inPlace).toBeGreaterThan(250);
  });
});
