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
});
