import { describe, expect, it } from 'vitest';
import { fleetOrigins, fleetResources } from '../test-support/fleet-fixtures.js';
import { ANY_HOST_LISTENER, apiListener, withGrpcApiListeners } from './api-listeners.js';

const SPEC = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c2', '*.wild.example.com': 'c2', '*': 'c1' }, endpoints: { c1: [1], c2: [2] } };

describe('gRPC API listeners', () => {
  it('adds one per dialable host and one for any host, all on the Envoy RouteConfiguration', () => {
    const { resources, origins } = withGrpcApiListeners(fleetResources(SPEC), fleetOrigins(SPEC));
    expect(resources.listeners.map((l) => l.name)).toEqual(['a.example.com', 'b.example.com', 'ingress_http', ANY_HOST_LISTENER]);
    expect(resources.listeners[0]).toEqual(apiListener('a.example.com', 'ingress_http'));
    expect(origins.listener?.['b.example.com']).toEqual(['Ingress default/c1', 'Ingress default/c2']);
  });

  it('leaves a name already used by another listener alone', () => {
    const input = fleetResources(SPEC);
    input.listeners.push({ name: 'a.example.com' });
    const { resources, skipped } = withGrpcApiListeners(input, {});
    expect(skipped).toEqual(['a.example.com']);
    expect(resources.listeners.filter((l) => l.name === 'a.example.com')).toEqual([{ name: 'a.example.com' }]);
  });

  it('adds nothing to a fleet without HTTP listeners', () => {
    const input = { ...fleetResources(SPEC), listeners: [] };
    expect(withGrpcApiListeners(input, {}).resources).toBe(input);
  });
});
