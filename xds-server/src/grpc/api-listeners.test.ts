import { describe, expect, it } from 'vitest';
import { fleetOrigins, fleetResources } from '../test-support/fleet-fixtures.js';
import { ANY_HOST_LISTENER, apiListener, hostRouteConfigurationName, withGrpcApiListeners } from './api-listeners.js';

const SPEC = { routes: { 'a.example.com': 'c1', 'b.example.com': 'c2', '*.wild.example.com': 'c2', '*': 'c1' }, endpoints: { c1: [1], c2: [2] } };

describe('gRPC API listeners', () => {
  it('adds one per dialable host on a table of that host alone, and one for any host on the whole table', () => {
    const input = fleetResources(SPEC);
    const { resources, origins } = withGrpcApiListeners(input, fleetOrigins(SPEC));
    expect(resources.listeners.map((l) => l.name)).toEqual(['a.example.com', 'b.example.com', 'ingress_http', ANY_HOST_LISTENER]);
    expect(resources.listeners[0]).toEqual(apiListener('a.example.com', hostRouteConfigurationName('a.example.com')));
    expect(resources.listeners[3]).toEqual(apiListener(ANY_HOST_LISTENER, 'ingress_http'));
    expect(resources.routeConfigurations.map((rc) => rc.name)).toEqual(['grpc:a.example.com', 'grpc:b.example.com', 'ingress_http']);
    // The virtual host a client dialing b.example.com would pick from the whole table, and only it.
    const whole = input.routeConfigurations[0];
    expect(resources.routeConfigurations[1]).toEqual({ name: 'grpc:b.example.com', virtual_hosts: whole?.virtual_hosts?.filter((v) => v.name === 'b.example.com') });
    // Traced to the Ingress of that host only.
    expect(origins.listener?.['b.example.com']).toEqual(['Ingress default/c2']);
    expect(origins.routeConfiguration?.['grpc:b.example.com']).toEqual(['Ingress default/c2']);
    expect(origins.listener?.[ANY_HOST_LISTENER]).toEqual(['Ingress default/c1', 'Ingress default/c2']);
  });

  it('leaves a name already used by another listener alone', () => {
    const input = fleetResources(SPEC);
    input.listeners.push({ name: 'a.example.com' });
    const { resources, skipped } = withGrpcApiListeners(input, {});
    expect(skipped).toEqual(['a.example.com']);
    expect(resources.listeners.filter((l) => l.name === 'a.example.com')).toEqual([{ name: 'a.example.com' }]);
    expect(resources.routeConfigurations.map((rc) => rc.name)).not.toContain('grpc:a.example.com');
  });

  it('adds nothing to a fleet without HTTP listeners', () => {
    const input = { ...fleetResources(SPEC), listeners: [] };
    expect(withGrpcApiListeners(input, {}).resources).toBe(input);
  });
});
