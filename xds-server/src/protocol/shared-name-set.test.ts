import { describe, expect, it } from 'vitest';
import { NameSet } from './shared-name-set.js';

const many = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `${prefix}/service-${i}/8080`);

describe('NameSet: subscribed names shared by the streams that subscribed to them', () => {
  it('is one object for equal names, whatever the order or the way there', () => {
    const direct = NameSet.of(['a', 'b', 'c']);
    expect(NameSet.of(['c', 'a', 'b', 'a'])).toBe(direct);
    const stepwise = NameSet.EMPTY.changed(['a'], []).changed(['c', 'x'], []).changed(['b'], ['x']);
    expect(stepwise).toBe(direct);
    expect([...direct.names].sort()).toEqual(['a', 'b', 'c']);
  });

  it('never changes a set others hold: a change makes or finds another one', () => {
    const shared = NameSet.of(['a', 'b']);
    const narrowed = shared.changed([], ['b']);
    const widened = shared.changed(['c'], []);
    expect([...shared.names].sort()).toEqual(['a', 'b']);
    expect([...narrowed.names]).toEqual(['a']);
    expect([...widened.names].sort()).toEqual(['a', 'b', 'c']);
    expect(narrowed).toBe(NameSet.of(['a']));
    expect(shared.changed([], ['a', 'b'])).toBe(NameSet.EMPTY);
  });

  it('hands the streams that follow the first through the same change the same set', () => {
    const fleet = NameSet.of(many('eds', 100));
    const first = fleet.changed(['eds/new/8080'], ['eds/service-3/8080']);
    const second = fleet.changed(['eds/new/8080'], ['eds/service-3/8080']);
    expect(second).toBe(first);
    expect(first.has('eds/new/8080')).toBe(true);
    expect(first.has('eds/service-3/8080')).toBe(false);
    expect(fleet.has('eds/service-3/8080')).toBe(true);
    expect(fleet.has('eds/new/8080')).toBe(false);
    // A change whose names read alike once joined is another change.
    const ab = NameSet.of(['x']).changed(['a', 'b'], []);
    const joined = NameSet.of(['x']).changed(['a:b'], []);
    expect(ab).not.toBe(joined);
    expect([...joined.names].sort()).toEqual(['a:b', 'x']);
  });

  it('shares large sets, however they were reached', () => {
    const names = many('eds', 20_000);
    const one = NameSet.EMPTY.changed(names, []);
    const other = NameSet.EMPTY.changed([...names].reverse(), []);
    expect(other).toBe(one);
    expect(one.size).toBe(20_000);
    const halves = NameSet.EMPTY.changed(names.slice(0, 10_000), []).changed(names.slice(10_000), []);
    expect(halves).toBe(one);
  });

  it('does not take a set of the same size that holds other names', () => {
    const base = NameSet.of(['a', 'b']);
    const ac = base.changed(['c'], ['b']);
    const ad = base.changed(['d'], ['b']);
    expect(ad).not.toBe(ac);
    expect([...ad.names].sort()).toEqual(['a', 'd']);
  });

  it('confirms a large change remembered by a sample of its names before taking its result', () => {
    const names = many('eds', 1_000);
    const first = NameSet.EMPTY.changed(names, []);
    // Same sizes and the same sampled names (first, quarters, last); one name in between differs.
    const other = [...names];
    other[1] = 'eds/service-1/8081';
    const second = NameSet.EMPTY.changed(other, []);
    expect(second).not.toBe(first);
    expect(second.has('eds/service-1/8081')).toBe(true);
    expect(second.has('eds/service-1/8080')).toBe(false);
    expect(first.has('eds/service-1/8080')).toBe(true);
    // Both are remembered in turn, and each is found again by content.
    expect(NameSet.EMPTY.changed([...names].reverse(), [])).toBe(first);
    expect(NameSet.EMPTY.changed([...other].reverse(), [])).toBe(second);
  });
});
