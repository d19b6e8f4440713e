// Property test: no input makes the pipeline throw, and poison never changes valid Ingresses'
// routes. Seeded and bounded (a few thousand generated objects), so a failure reproduces: the
// message names the seed and the batch. The poison is what careless or hostile manifests hold:
// wrong types in any field, missing fields, nulls, huge and control-character strings, and
// schema-valid objects with bad values (ports, addresses, hosts, regexes).
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../../xds-server/src/protos/envoy-protos.js';
import { validateMessage } from '../../xds-server/src/protos/validate.js';
import { FLEET_FIELD_BY_KIND, resourcesOfKind } from '../../xds-server/src/resources.js';
import { withVirtualHostDiscovery } from '../../xds-server/src/cache/virtual-host-discovery.js';
import type { EnvoyConfig } from './pipeline.js';
import { buildEnvoyConfig } from './pipeline.js';
import { ClusterStateBuilder } from './store/cluster-state-builder.js';
import { seededRandom as random } from '../../xds-server/src/test-support/seeded-random.js';

const SEED = 20261129;
const BATCHES = 40;
const POISON_PER_BATCH = 80;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const VALID_NS = 'apps';
const POISON_NS = 'poison';

function service(name: string, namespace: string): Json {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ name: 'http', port: 80 }] } };
}

function slice(name: string, namespace: string, serviceName: string, address: string): Json {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: [{ addresses: [address], zone: 'z1' }],
  };
}

function ingress(name: string, namespace: string, host: string, created: string, paths: Json[], extra: Record<string, Json> = {}, className = 'portico'): Json {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace, creationTimestamp: created, annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' } },
    spec: { ingressClassName: className, rules: [{ host, http: { paths } }], ...extra },
  };
}

/** A class of the poison's own with VHDS on, so the Delta view is checked against Envoy's rules too. */
const POISON_CLASS = 'poison-vhds';
const poisonClass: Json[] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: POISON_CLASS }, spec: { controller: 'portico.dev/ingress-controller', parameters: { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: POISON_CLASS } } },
  { apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name: POISON_CLASS }, spec: { envoy: { version: '1.40', virtualHostDiscovery: true } } },
];

const path = (p: string, pathType: string, serviceName: string): Json => ({ path: p, pathType, backend: { service: { name: serviceName, port: { number: 80 } } } });

/** The valid configuration whose routes must survive any poison beside it. */
function validObjects(): Json[] {
  return [
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portico' }, spec: { controller: 'portico.dev/ingress-controller' } },
    service('web', VALID_NS),
    service('api', VALID_NS),
    slice('web-1', VALID_NS, 'web', '10.0.0.1'),
    slice('api-1', VALID_NS, 'api', '10.0.0.2'),
    ingress('shop', VALID_NS, 'shop.example.com', '2020-01-01T00:00:00Z', [path('/', 'Prefix', 'web'), path('/api', 'Prefix', 'api'), path('/v[0-9]+/items', 'ImplementationSpecific', 'api')]),
    ingress('wild', VALID_NS, '*.apps.example.com', '2020-01-02T00:00:00Z', [path('/', 'Prefix', 'web')]),
    ingress('docs', VALID_NS, 'docs.example.com', '2020-01-03T00:00:00Z', [path('/guide', 'Exact', 'web')]),
  ];
}

/** Values of every JSON type, including the awkward ones. */
function anyValue(next: () => number, depth = 0): Json {
  const pick = Math.floor(next() * 14);
  switch (pick) {
    case 0: return null;
    case 1: return next() < 0.5;
    case 2: return Math.floor(next() * 200000) - 100000;
    case 3: return next() * 1e20;
    case 4: return '';
    case 5: return 'x'.repeat(Math.floor(next() * 5000));
    case 6: return 'ctl\u0000\u001b[31m\u0007\n';
    case 7: return '*.deep.a.b.c.d.e.f.example.com';
    case 8: return '/(a|b';
    case 9: return '10.0.0.1';
    case 10: return depth > 2 ? [] : [anyValue(next, depth + 1), anyValue(next, depth + 1)];
    case 11: return depth > 2 ? {} : { a: anyValue(next, depth + 1), service: anyValue(next, depth + 1) };
    case 12: return 70000;
    default: return 'Prefix';
  }
}

/** Every path to a value inside a JSON tree, so a mutation can hit any field at any depth. */
function paths(value: Json, prefix: (string | number)[] = [], into: (string | number)[][] = []): (string | number)[][] {
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  for (const [key, item] of entries) {
    into.push([...prefix, key]);
    paths(item, [...prefix, key], into);
  }
  return into;
}

function mutate(object: Json, next: () => number): Json {
  const copy = structuredClone(object);
  const targets = paths(copy).filter((p) => p.length > 0 && !(p.length === 1 && (p[0] === 'kind' || p[0] === 'apiVersion')));
  const count = 1 + Math.floor(next() * 3);
  for (let n = 0; n < count && targets.length > 0; n++) {
    const target = targets[Math.floor(next() * targets.length)] ?? [];
    let parent: Json = copy;
    // An earlier mutation may have replaced part of this path: stop where the tree now ends.
    for (const step of target.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? ((parent as Record<string | number, Json>)[step] ?? null) : null;
    if (parent === null || typeof parent !== 'object') continue;
    const last = target[target.length - 1] ?? '';
    if (next() < 0.25 && !Array.isArray(parent)) delete (parent as Record<string, Json>)[last];
    else (parent as Record<string | number, Json>)[last] = anyValue(next);
  }
  return copy;
}

/** A default backend, or TLS for a host of the poison's own (with its Secret, broken or not, or another's). */
function poisonExtra(next: () => number, name: string, i: number): Record<string, Json> {
  const roll = next();
  if (roll < 0.3) return { defaultBackend: { service: { name: 'web', port: { number: 80 } } } };
  if (roll < 0.6) return { tls: [{ hosts: [`h${i}.example.com`, `*.w${i}.example.com`], secretName: next() < 0.7 ? name : 'apps/shop-tls' }, { secretName: name }] };
  return {};
}

/** Poison lives in its own namespace and is always newer, so it can never win a conflict fairly. */
function poisonObject(next: () => number, i: number): Json {
  const name = `p${i}`;
  const templates: Json[] = [
    ingress(name, POISON_NS, next() < 0.5 ? 'shop.example.com' : `h${i}.example.com`, '2030-01-01T00:00:00Z', [path('/', 'Prefix', 'web'), path('/x', 'ImplementationSpecific', 'api')], poisonExtra(next, name, i), next() < 0.5 ? 'portico' : POISON_CLASS),
    service(name, POISON_NS),
    slice(name, POISON_NS, 'web', next() < 0.5 ? '10.9.9.9' : 'not-an-ip'),
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: `class-${name}` }, spec: { controller: 'portico.dev/ingress-controller', parameters: { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name } } },
    { apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name }, spec: { timeouts: { connect: '1s' }, envoy: { virtualHostDiscovery: true } } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: POISON_NS }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'AAAA', 'tls.key': 'AAAA' } },
  ];
  const template = templates[Math.floor(next() * templates.length)] ?? null;
  const poisoned = next() < 0.85 ? mutate(template, next) : template;
  // Keep the poison in its lane whatever the mutation did to its metadata.
  if (poisoned !== null && typeof poisoned === 'object' && !Array.isArray(poisoned)) {
    const metadata = poisoned['metadata'];
    if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)) {
      if ('namespace' in metadata) metadata['namespace'] = POISON_NS;
      metadata['name'] = name;
      if (poisoned['kind'] === 'Ingress') metadata['creationTimestamp'] = '2030-01-01T00:00:00Z';
    }
  }
  return poisoned;
}

function translate(objects: readonly Json[]): EnvoyConfig {
  const builder = new ClusterStateBuilder();
  objects.forEach((object, i) => builder.add(object, `object ${i}`));
  return buildEnvoyConfig(builder.build());
}

/** Per valid host, the routes valid Ingresses made there (poison may add its own beside them). */
function validRoutes(config: EnvoyConfig): Record<string, unknown[]> {
  const table = config.fleets.find((f) => f.ingressClass === 'portico')?.resources.routeConfigurations[0];
  const result: Record<string, unknown[]> = {};
  for (const host of table?.virtual_hosts ?? []) {
    // Route names start with the Ingress's namespace/name: valid ones live in VALID_NS only.
    const ours = (host.routes ?? []).filter((route) => route.name?.startsWith(`${VALID_NS}/`));
    if (ours.length > 0) result[host.name ?? ''] = ours;
  }
  return result;
}

describe('hostile input (seeded property test)', () => {
  const baseline = validRoutes(translate(validObjects()));

  it('has a baseline with every valid host', () => {
    expect(Object.keys(baseline).sort()).toEqual(['*.apps.example.com', 'docs.example.com', 'shop.example.com']);
  });

  it(`never throws, never blames itself, serves only valid resources, and leaves valid routes alone (${BATCHES} × ${POISON_PER_BATCH} objects, seed ${SEED})`, () => {
    const next = random(SEED);
    let poisonCount = 0;
    let poisonEndpoints = 0;
    let splitViews = 0;
    for (let batch = 0; batch < BATCHES; batch++) {
      const poison = Array.from({ length: POISON_PER_BATCH }, () => poisonObject(next, poisonCount++));
      const where = `seed ${SEED}, batch ${batch}`;
      let config: EnvoyConfig | undefined;
      // Poison first and last: the result must not depend on where it sits.
      // The poison namespace's own Service, so poisoned slices and Ingresses reach served clusters.
      const lane = [service('web', POISON_NS), service('api', POISON_NS), ...poisonClass];
      expect(() => (config = translate([...poison.slice(0, 40), ...validObjects(), ...lane, ...poison.slice(40)])), where).not.toThrow();
      if (!config) continue;
      expect(config.diagnostics.filter((d) => d.message.includes('bug in Portico')), where).toEqual([]);
      expect(validRoutes(config), where).toEqual(baseline);
      for (const fleet of config.fleets) {
        const views = [fleet.resources, ...(fleet.virtualHostDiscovery ? [withVirtualHostDiscovery(fleet.resources, fleet.origins).resources] : [])];
        splitViews += views.length - 1;
        for (const view of views) {
          for (const kind of Object.keys(FLEET_FIELD_BY_KIND) as ResourceKind[]) {
            for (const resource of resourcesOfKind(view, kind)) {
              expect(validateMessage(RESOURCE_TYPES[kind], resource), `${where}: ${fleet.ingressClass} ${kind}`).toEqual([]);
            }
          }
        }
        // Envoy takes only IP endpoints (no DNS in EDS); PGV cannot see that.
        const addresses = fleet.resources.clusterLoadAssignments.flatMap((cla) => (cla.endpoints ?? []).flatMap((l) => (l.lb_endpoints ?? []).map((e) => e.endpoint?.address?.socket_address?.address ?? '')));
        expect(addresses.filter((address) => isIP(address) === 0), where).toEqual([]);
        poisonEndpoints += fleet.resources.clusterLoadAssignments.filter((cla) => cla.cluster_name?.startsWith(`${POISON_NS}/`)).flatMap((cla) => (cla.endpoints ?? []).flatMap((l) => l.lb_endpoints ?? [])).length;
      }
    }
    expect(poisonCount).toBe(BATCHES * POISON_PER_BATCH);
    // The poison did reach served clusters and a VHDS view, so the checks above saw it.
    expect(poisonEndpoints).toBeGreaterThan(BATCHES);
    expect(splitViews).toBeGreaterThanOrEqual(BATCHES);
  });
});
