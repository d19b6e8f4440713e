import { describe, expect, it } from 'vitest';
import { emptyClusterState } from '../store/cluster-state.js';
import type { ClusterState, V1Ingress, V1Service } from '../store/cluster-state.js';
import { changesBetween } from './state-changes.js';

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
});
