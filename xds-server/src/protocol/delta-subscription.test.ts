import { describe, expect, it } from 'vitest';
import { DeltaSubscription } from './delta-subscription.js';

describe('DeltaSubscription', () => {
  it('is legacy wildcard for Listener and Cluster until the client subscribes to anything', () => {
    const clusters = new DeltaSubscription('cluster');
    expect(clusters.wildcard).toBe(true);
    expect(clusters.update(['c1'], []).wildcardChanged).toBe(true);
    expect(clusters.wildcard).toBe(false);
    // An empty request afterwards does not bring legacy wildcard back.
    clusters.update([], []);
    expect(clusters.wildcard).toBe(false);
    expect(new DeltaSubscription('clusterLoadAssignment').wildcard).toBe(false);
  });

  it('keeps an explicit "*" alongside names until "*" is unsubscribed', () => {
    const listeners = new DeltaSubscription('listener');
    listeners.update(['*', 'grpc-target'], []);
    expect(listeners.describe()).toEqual(['*', 'grpc-target']);
    const change = listeners.update([], ['*']);
    expect(change.wildcardChanged).toBe(true);
    expect(listeners.describe()).toEqual(['grpc-target']);
  });

  it('reports every subscribed name, even one already held, and ignores phantom unsubscribes', () => {
    const endpoints = new DeltaSubscription('clusterLoadAssignment');
    endpoints.update(['a'], []);
    expect(endpoints.update(['a'], ['b']).subscribed).toEqual(['a']);
    expect(endpoints.update([], ['b']).unsubscribed).toEqual([]);
    expect(endpoints.update([], ['a']).unsubscribed).toEqual(['a']);
    expect(endpoints.covers('a')).toBe(false);
  });

  it('treats a VirtualHost name as a namespace: subscribing to a route configuration covers its hosts (VHDS)', () => {
    const hosts = new DeltaSubscription('virtualHost');
    expect(hosts.wildcard).toBe(false);
    hosts.update(['ingress/http'], []);
    expect(hosts.includes('ingress/http/app.example.com', true)).toBe(true);
    expect(hosts.covers('ingress/http/*')).toBe(true);
    // Only the last '/' separates: hosts never hold one, route configuration names may.
    expect(hosts.covers('ingress/other/app.example.com')).toBe(false);
    expect(hosts.covers('ingress/http/a/b')).toBe(false);
    // Other kinds have no namespaces.
    const routes = new DeltaSubscription('routeConfiguration');
    routes.update(['ingress'], []);
    expect(routes.covers('ingress/http')).toBe(false);
    hosts.update([], ['ingress/http']);
    expect(hosts.covers('ingress/http/app.example.com')).toBe(false);
  });

  it('applies subscribe before unsubscribe within one request, counting each name once', () => {
    const endpoints = new DeltaSubscription('clusterLoadAssignment');
    endpoints.update(['a'], []);
    const change = endpoints.update(['b', 'b', 'a', 'c'], ['c', 'a', 'a', 'c']);
    expect(change).toEqual({ subscribed: ['b', 'b', 'a', 'c'], added: ['b', 'c'], unsubscribed: ['c', 'a'], wildcardChanged: false });
    expect([...endpoints.names]).toEqual(['b']);
  });

  it('shares its names with subscriptions of the same names; a change of one leaves the others as they were', () => {
    const names = Array.from({ length: 500 }, (_, i) => `default/service-${i}/80`);
    const [one, two, three] = [0, 1, 2].map(() => new DeltaSubscription('clusterLoadAssignment'));
    for (const subscription of [one!, two!, three!]) subscription.update([...names], []);
    expect(two!.nameSetShared).toBe(one!.nameSetShared);
    expect(three!.nameSetShared).toBe(one!.nameSetShared);

    one!.update([], ['default/service-7/80']);
    expect(one!.covers('default/service-7/80')).toBe(false);
    expect(two!.covers('default/service-7/80')).toBe(true);
    expect(three!.names.size).toBe(500);
    expect(two!.nameSetShared).toBe(three!.nameSetShared);

    // Another stream making the same change joins the first; subscribing again rejoins the others.
    two!.update([], ['default/service-7/80']);
    expect(two!.nameSetShared).toBe(one!.nameSetShared);
    one!.update(['default/service-7/80'], []);
    expect(one!.nameSetShared).toBe(three!.nameSetShared);
    expect(two!.covers('default/service-7/80')).toBe(false);
  });
});
