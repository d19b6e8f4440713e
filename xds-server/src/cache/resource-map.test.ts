import { describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../test-support/seeded-random.js';
import { compareStrings } from '../util/compare-strings.js';
import { ResourceMap } from './resource-map.js';


function sortedModel(model: ReadonlyMap<string, number>): [string, number][] {
  return [...model].sort(([a], [b]) => compareStrings(a, b));
}

/**
 * `iterate`: read it through the Map iterators too, which flatten it (derivations then start
 * from the flat Map); otherwise only lookups and the merge that does not flatten.
 */
function expectSame(map: ResourceMap<number>, model: ReadonlyMap<string, number>, pool: readonly string[], iterate: boolean): void {
  const expected = sortedModel(model);
  expect(pool.map((name) => [map.get(name), map.has(name)])).toEqual(pool.map((name) => [model.get(name), model.has(name)]));
  expect([...map.merged()]).toEqual(expected);
  expect(map.size).toBe(model.size);
  if (!iterate) return;
  expect([...map]).toEqual(expected);
  expect([...map.keys()]).toEqual(expected.map(([name]) => name));
  expect([...map.values()]).toEqual(expected.map(([, value]) => value));
  const visited: [string, number][] = [];
  map.forEach((value, name) => visited.push([name, value]));
  expect(visited).toEqual(expected);
}

describe('ResourceMap', () => {
  it('reads as a sorted Map through random sequences of updates, and earlier maps never change', () => {
    const random = seeded(17);
    const pool = Array.from({ length: 500 }, (_, i) => `ns-${i % 7}/svc-${(i * 37) % 500}`);
    const pick = (): string => pool[Math.floor(random() * pool.length)] as string;
    let model = new Map<string, number>();
    for (const name of pool.slice(0, 300)) model.set(name, 0);
    let map = ResourceMap.ofSorted(new Map(sortedModel(model)));
    const history: [ResourceMap<number>, Map<string, number>][] = [];
    for (let step = 1; step <= 1500; step++) {
      const changes = new Map<string, number | undefined>();
      // Mostly one or two names (an endpoint change), now and then a large batch.
      const count = random() < 0.01 ? 120 : 1 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) changes.set(pick(), random() < 0.25 ? undefined : step);
      // Now and then derive from an older map (two updates from one snapshot).
      const fork = random() < 0.05 && history.length > 0 ? history[Math.floor(random() * history.length)] : undefined;
      const [from, fromModel] = fork ?? [map, model];
      const next = from.with(changes);
      const nextModel = new Map(fromModel);
      for (const [name, value] of changes) {
        if (value === undefined) nextModel.delete(name);
        else nextModel.set(name, value);
      }
      expectSame(next, nextModel, pool, random() < 0.1);
      map = next;
      model = nextModel;
      history.push([map, model]);
      if (history.length > 40) history.shift();
    }
    for (const [old, oldModel] of history) expectSame(old, oldModel, pool, true);
  });

  it('flattens on the first whole iteration, and derives from the flat map', () => {
    let map = ResourceMap.ofSorted(new Map([['a', 1], ['c', 3]]));
    map = map.with(new Map([['b', 2], ['c', undefined]]));
    expect(map.overlaySize).toBe(2);
    expect([...map]).toEqual([['a', 1], ['b', 2]]);
    const next = map.with(new Map([['d', 4]]));
    expect(next.overlaySize).toBe(1);
    expect([...next.merged()]).toEqual([['a', 1], ['b', 2], ['d', 4]]);
  });

  it('keeps what one update copies small: its overlay stays within a few times √n', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `team-${String(i).padStart(5, '0')}`);
    let map = ResourceMap.ofSorted(new Map(names.map((name, i) => [name, i])));
    let largest = 0;
    for (let step = 0; step < 2_000; step++) {
      map = map.with(new Map([[names[(step * 7919) % names.length] as string, -step]]));
      largest = Math.max(largest, map.overlaySize);
    }
    expect(largest).toBeLessThanOrEqual(4 * Math.sqrt(names.length));
    expect(map.size).toBe(names.length);
    expect(map.get(names[(1999 * 7919) % names.length] as string)).toBe(-1999);
  });
});
