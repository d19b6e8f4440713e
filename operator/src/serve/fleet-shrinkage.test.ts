import { describe, expect, it } from 'vitest';
import { largeRemovals } from './fleet-shrinkage.js';

const size = (listeners: number, clusters: number, virtualHosts: number) => ({ listeners, clusters, virtualHosts });

describe('largeRemovals', () => {
  it('flags losing every listener, or more than half the virtual hosts or clusters, or the whole fleet', () => {
    const before = new Map([
      ['lost-listener', size(1, 10, 10)],
      ['lost-hosts', size(1, 10, 51)],
      ['lost-clusters', size(1, 10, 10)],
      ['gone', size(1, 2, 3)],
      ['half', size(1, 10, 10)],
      ['grew', size(1, 1, 1)],
    ]);
    const after = new Map([
      ['lost-listener', size(0, 10, 10)],
      ['lost-hosts', size(1, 10, 1)],
      ['lost-clusters', size(1, 4, 10)],
      ['half', size(1, 5, 5)],
      ['grew', size(1, 5, 5)],
      ['new', size(1, 1, 1)],
    ]);
    expect(largeRemovals(before, after).map((r) => r.fleet)).toEqual(['lost-listener', 'lost-hosts', 'lost-clusters', 'gone']);
    expect(largeRemovals(before, after).find((r) => r.fleet === 'gone')).toEqual({ fleet: 'gone', before: size(1, 2, 3), after: size(0, 0, 0) });
  });
});
