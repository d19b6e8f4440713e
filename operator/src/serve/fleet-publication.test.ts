// Publishing with IngressClass parameters: a class whose parameters break keeps its fleet's last
// good configuration (never an empty one), and a parameters change reaches only its own fleet.
import { describe, expect, it } from 'vitest';
import { XdsServer } from '../../../xds-server/src/index.js';
import { createLogger } from '../../../observability/src/index.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { classIngressYaml, ingressClassYaml, parametersYaml, serviceYaml } from '../test-support/parameters-yaml.js';
import { stateFromYaml } from '../test-support/translate-yaml.js';
import { publishConfig, validatePublication } from './fleet-publication.js';
import type { ServedFleet } from './fleet-publication.js';
import { withRefusedVirtualHosts } from '../test-support/refused-virtual-hosts.js';

function cluster(edgeParameters: object | undefined, internalParameters: object = {}): ReturnType<typeof buildEnvoyConfig> {
  return buildEnvoyConfig(
    stateFromYaml(
      ingressClassYaml({ name: 'edge', parameters: 'platform/edge' }),
      ingressClassYaml({ name: 'internal', parameters: 'internal' }),
      ...(edgeParameters ? [parametersYaml('platform/edge', edgeParameters)] : []),
      parametersYaml('internal', internalParameters),
      serviceYaml('shop', 1),
      serviceYaml('wiki', 2),
      classIngressYaml('shop', 'edge', 'shop.example.com', 'shop'),
      classIngressYaml('wiki', 'internal', 'wiki.example.com', 'wiki'),
    ),
  );
}

function xdsServer(): XdsServer {
  return new XdsServer({ logger: createLogger({ write: () => {} }) });
}

function versionsOf(server: XdsServer, fleet: string): unknown {
  return server.fleets().find((f) => f.fleet === fleet)?.versions;
}

describe('publishConfig with IngressClass parameters', () => {
  it('re-publishes only the fleet whose class parameters changed', () => {
    const server = xdsServer();
    let served: ServedFleet[] = publishConfig(server, cluster({}), []).served;
    const internalBefore = versionsOf(server, 'internal');
    const result = publishConfig(server, cluster({ timeouts: { request: '30s' } }), served);
    expect(result.changed).toEqual(['edge']);
    expect(versionsOf(server, 'internal')).toEqual(internalBefore);
    served = result.served;
    expect(publishConfig(server, cluster({ timeouts: { request: '30s' } }), served).changed).toEqual([]);
  });

  it('keeps the last good configuration of a class whose parameters go missing or invalid, until they are fixed', () => {
    const server = xdsServer();
    const first = publishConfig(server, cluster({ fleet: 'edge-fleet' }), []);
    expect(first.served).toEqual([
      { fleet: 'edge-fleet', ingressClass: 'edge' },
      { fleet: 'internal', ingressClass: 'internal' },
    ]);
    const good = versionsOf(server, 'edge-fleet');

    const missing = publishConfig(server, cluster(undefined), first.served);
    expect(missing).toEqual({ served: first.served, changed: [], held: [{ fleet: 'edge-fleet', ingressClass: 'edge' }] });
    expect(versionsOf(server, 'edge-fleet')).toEqual(good);

    const invalid = publishConfig(server, cluster({ fleet: 'edge-fleet', timeouts: { connect: '0s' } }), missing.served);
    expect(invalid.changed).toEqual([]);
    expect(invalid.held.map((h) => h.fleet)).toEqual(['edge-fleet']);
    expect(versionsOf(server, 'edge-fleet')).toEqual(good);

    const fixed = publishConfig(server, cluster({ fleet: 'edge-fleet', timeouts: { connect: '1s' } }), invalid.served);
    expect(fixed.changed).toEqual(['edge-fleet']);
    expect(fixed.held).toEqual([]);
  });

  it('publishes nothing for a class whose parameters were never usable, rather than an empty fleet', () => {
    const server = xdsServer();
    const result = publishConfig(server, cluster({ timeouts: { connect: '0s' } }), []);
    expect(result.served).toEqual([{ fleet: 'internal', ingressClass: 'internal' }]);
    expect(server.fleets().map((f) => f.fleet)).toEqual(['internal']);
  });

  it('moves a fleet when the parameters rename it, and retires the old name', () => {
    const server = xdsServer();
    const first = publishConfig(server, cluster({}), []);
    const renamed = publishConfig(server, cluster({ fleet: 'edge-v2' }), first.served);
    expect(renamed.changed.sort()).toEqual(['edge', 'edge-v2']);
    expect(server.fleets().map((f) => f.fleet).sort()).toEqual(['edge-v2', 'internal']);
  });
});

describe('publishConfig with resources Envoy would reject', () => {
  it('tells the objects that made a refused resource, and the class when none is known', () => {
    const refusing = {
      publishFleet: (fleet: string) => ({
        changed: [],
        problems: fleet !== 'edge' ? [] : [
          { kind: 'routeConfiguration' as const, name: 'http', virtualHost: 'shop.example.com', message: 'virtual host shop.example.com is left out: it breaks rules', origins: ['Ingress default/shop'] },
          { kind: 'cluster' as const, name: 'x', message: 'breaks rules', origins: [] },
        ],
      }),
      removeFleet: () => false,
    };
    const result = publishConfig(refusing, cluster({}), []);
    expect(result.problems?.filter((p) => p.object === 'Ingress default/shop')).toEqual([
      { object: 'Ingress default/shop', severity: 'error', message: 'the Envoy routeConfiguration http made from this object cannot be served as it is: virtual host shop.example.com is left out: it breaks rules' },
    ]);
    expect(result.problems?.map((p) => p.object)).toContain('IngressClass edge');
  });
});

describe('validatePublication (what portico check and translate judge with)', () => {
  /** The edge fleet with shop.example.com's virtual host made invalid by hand (no domains: Envoy needs one). */
  function brokenShop(): ReturnType<typeof buildEnvoyConfig> {
    return withRefusedVirtualHosts(cluster({}), (host) => host === 'shop.example.com');
  }

  it("reports exactly what serve's first publish reports: the refused host, on its Ingress, in the same words", () => {
    const config = brokenShop();
    const validated = validatePublication(config);
    const served = publishConfig(xdsServer(), config, []);
    expect(validated.problems).toEqual(served.problems);
    expect(validated.problems).toEqual([
      {
        object: 'Ingress default/shop',
        severity: 'error',
        message: expect.stringMatching(/^the Envoy routeConfiguration \S+ made from this object cannot be served as it is: virtual host shop\.example\.com breaks Envoy's validation rules: domains: .*; it is left out$/),
      },
    ]);
    expect(validated.rejected).toEqual([{ fleet: 'edge', ingressClass: 'edge', problem: expect.objectContaining({ kind: 'routeConfiguration', virtualHost: 'shop.example.com' }) }]);
  });

  it('reports nothing for a configuration the server takes whole', () => {
    expect(validatePublication(cluster({}))).toEqual({});
  });
});

describe('publishConfig with routes proxyless gRPC clients cannot use', () => {
  it('tells the Ingress whose app-root redirect is left out of the gRPC view, and only it, as info (not a warning)', () => {
    const config = buildEnvoyConfig(
      stateFromYaml(
        ingressClassYaml({ name: 'edge', parameters: 'edge' }),
        parametersYaml('edge', {}),
        serviceYaml('shop', 1),
        serviceYaml('wiki', 2),
        classIngressYaml('shop', 'edge', 'shop.example.com', 'shop', { 'nginx.ingress.kubernetes.io/app-root': '/app' }),
        classIngressYaml('wiki', 'edge', 'wiki.example.com', 'wiki'),
      ),
    );
    const result = publishConfig(xdsServer(), config, []);
    const info = result.problems?.filter((p) => p.severity === 'info') ?? [];
    expect(info.length).toBeGreaterThan(0);
    expect(new Set(info.map((p) => p.object))).toEqual(new Set(['Ingress default/shop']));
    expect(info[0]?.message).toMatch(/^route .* \(host shop\.example\.com\) is left out for proxyless gRPC clients: gRPC does not support redirects/);
    expect(result.problems?.filter((p) => p.severity !== 'info')).toEqual([]);
  });
});
