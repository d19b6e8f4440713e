import { describe, expect, it } from 'vitest';
import { fixtures, ingressYaml, translateYaml } from '../test-support/translate-yaml.js';

const slice = (name: string, addressType: string, port: number, addresses: string[]): string =>
  `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}, namespace: default, labels: {kubernetes.io/service-name: web}}\naddressType: ${addressType}\nports: [{name: http, port: ${port}}]\nendpoints: [{addresses: ${JSON.stringify(addresses)}}]`;

describe('EndpointSlice contents', () => {
  it('serves only addresses of the slice family and ports Envoy accepts, and names what it left out', () => {
    const config = translateYaml(
      fixtures({ services: ['web'] }),
      slice('mixed', 'IPv4', 8080, ['10.0.0.7', 'db.internal', '', '::1', '10.0.0.300']),
      slice('v6', 'IPv6', 8080, ['fd00::1', '10.0.0.8']),
      slice('huge-port', 'IPv4', 70000, ['10.0.0.9']),
      ingressYaml({ host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] }),
    );
    const cla = config.fleets[0]?.resources.clusterLoadAssignments[0];
    const served = (cla?.endpoints ?? []).flatMap((l) => (l.lb_endpoints ?? []).map((e) => `${e.endpoint?.address?.socket_address?.address}:${e.endpoint?.address?.socket_address?.port_value}`));
    expect(served.sort()).toEqual(['10.0.0.7:8080', '10.1.0.1:8080', 'fd00::1:8080']);
    expect(config.diagnostics.map((d) => `${d.object}: ${d.message}`)).toEqual([
      'EndpointSlice default/huge-port: ports: port 70000 of "http" is not between 1 and 65535; the slice\'s endpoints are not used for it',
      'EndpointSlice default/mixed: endpoints[0].addresses[1]: "db.internal" is not an IPv4 address; it is not used',
      'EndpointSlice default/mixed: endpoints[0].addresses[2]: "" is not an IPv4 address; it is not used',
      'EndpointSlice default/mixed: endpoints[0].addresses[3]: "::1" is not an IPv4 address; it is not used',
      'EndpointSlice default/mixed: endpoints[0].addresses[4]: "10.0.0.300" is not an IPv4 address; it is not used',
      'EndpointSlice default/v6: endpoints[0].addresses[1]: "10.0.0.8" is not an IPv6 address; it is not used',
    ]);
  });
});
