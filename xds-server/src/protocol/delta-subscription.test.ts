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
});
