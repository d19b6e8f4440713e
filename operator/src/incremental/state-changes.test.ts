import { describe, expect, it } from 'vitest';
import { emptyClusterState } from '../store/cluster-state.js';
import type { ClusterState, V1Ingress, V1Service } from '../store/cluster-state.js';
import { changesBetween, keptLists } from './state-changes.js';

const ingress = (name: string): V1Ingress => ({ metadata: { namespace: 'shop', name }, spec: { ingressClassName: 'portico' } });
const service = (name: string): V1Service => ({ metadata: { namespace: 'shop', name } });

describe('changesBetween (manifest folders)', () => {
  const web = ingress('web');
  const api = ingress('api');
  const before: ClusterState = { ...emptyClusterState(), ingresses: [api, web], services: [service('a')] };

  it('names the Ingresses that are other objects, came or went', () => {
    const after: ClusterState = { ...before, ingresses: [ingress('api'), ingress('new')] };
    expect(changesBetween(before, after)).toEqual({ full: false, ingresses: new Set(['shop/api', 'shop/new', 'shop/web']), services: new Set() });
  });

  it('names nothing when every object is the very same', () => {
    expect(changesBetween(before, { ...before, ingresses: [web, api] })).toEqual({ full: false, ingresses: new Set(), services: new Set() });
  });

  it('asks for everything when another kind changed, or there is no state before', () => {
    expect(changesBetween(before, { ...before, services: [service('a')] }).full).toBe(true);
    expect(changesBetween(undefined, before).full).toBe(true);
  });

  it('names an Ingress replaced in its place, and one that moved, came and went at once', () => {
    const edited = ingress('web');
    expect(changesBetween(before, { ...before, ingresses: [api, edited] }).ingresses).toEqual(new Set(['shop/web']));
    // Same length, keys not in their places: compared by key.
    expect(changesBetween(before, { ...before, ingresses: [web, ingress('zed')] }).ingresses).toEqual(new Set(['shop/api', 'shop/zed']));
  });
});

describe('keptLists', () => {
  it('hands back the previous list for every kind that holds the very same objects in the same order', () => {
    const web = ingress('web');
    const services = [service('a'), service('b')];
    const before: ClusterState = { ...emptyClusterState(), ingresses: [web], services };
    const after: ClusterState = { ...before, ingresses: [ingress('web')], services: [...services] };
    const kept = keptLists(before, after);
    expect(kept.services).toBe(services);
    expect(kept.ingresses).toBe(after.ingresses);
    expect(keptLists(before, { ...after, services: [services[1] as V1Service, services[0] as V1Service] }).services).not.toBe(services);
    expect(keptLists(undefined, after)).toBe(after);
  });
});
