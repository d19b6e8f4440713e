import { describe, expect, it } from 'vitest';
import { Subscription } from './subscription.js';

describe('Subscription (SotW)', () => {
  it('treats an empty first list as wildcard for listeners and clusters only', () => {
    const clusters = new Subscription('cluster');
    clusters.update([]);
    expect(clusters.wildcard).toBe(true);
    clusters.update([]);
    expect(clusters.wildcard).toBe(true);
    const routes = new Subscription('routeConfiguration');
    routes.update([]);
    expect(routes.wildcard).toBe(false);
    expect(routes.empty).toBe(true);
  });

  it('ends legacy wildcard once a name is given; then an empty list unsubscribes all', () => {
    const listeners = new Subscription('listener');
    listeners.update([]);
    expect(listeners.update(['a']).wildcardChanged).toBe(true);
    expect(listeners.wildcard).toBe(false);
    listeners.update([]);
    expect(listeners.empty).toBe(true);
  });

  it('supports "*" next to explicit names, and reports added and removed names', () => {
    const listeners = new Subscription('listener');
    expect(listeners.update(['*', 'a'])).toEqual({ added: ['a'], removed: [], wildcardChanged: true });
    expect(listeners.includes('anything', true)).toBe(true);
    expect(listeners.includes('api', false)).toBe(false);
    expect(listeners.includes('a', false)).toBe(true);
    expect(listeners.update(['b'])).toEqual({ added: ['b'], removed: ['a'], wildcardChanged: true });
    expect(listeners.describe()).toEqual(['b']);
  });

  it('covers, like DeltaSubscription, names it would hold whether or not they exist: by name, or any under wildcard', () => {
    const clusters = new Subscription('cluster');
    clusters.update(['a']);
    expect(clusters.covers('a')).toBe(true);
    expect(clusters.covers('b')).toBe(false);
    clusters.update(['*']);
    expect(clusters.covers('b')).toBe(true);
    const endpoints = new Subscription('clusterLoadAssignment');
    endpoints.update(['*']); // no wildcard for EDS: "*" is no name either
    expect(endpoints.covers('a')).toBe(false);
  });

  it('shares its names with subscriptions of the same names; one changing its list leaves the others as they were', () => {
    const [one, two] = [new Subscription('clusterLoadAssignment'), new Subscription('clusterLoadAssignment')];
    one.update(['a', 'b', 'c']);
    two.update(['c', 'b', 'a']);
    expect(one.names).toBe(two.names);
    one.update(['a', 'c']);
    expect([...two.names].sort()).toEqual(['a', 'b', 'c']);
    expect(two.includes('b', false)).toBe(true);
    expect(one.includes('b', false)).toBe(false);
    two.update(['c', 'a']);
    expect(two.names).toBe(one.names);
  });
});
