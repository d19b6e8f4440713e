// Property: translating incrementally (IncrementalTranslator, told what changed) gives, after
// every change, exactly what a full translation of the same state gives: the same fleets, the
// same resources and origins, the same gRPC views, held classes and diagnostics, byte for byte.
// Random histories of adds, updates and deletes of Ingresses sharing hosts (oldest-wins
// conflicts), wildcards, hostless rules, default backends, TLS, canaries, www twins, aliases,
// class moves, and of Services, EndpointSlices, Secrets, classes and parameters.
import { beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../xds-server/src/test-support/seeded-random.js';
import { buildEnvoyConfig } from '../pipeline.js';
import type { SupportedKind } from '../store/cluster-state.js';
import type { EnvoyConfig } from '../pipeline.js';
import { IncrementalTranslator } from './incremental-translator.js';
import { exampleCertificates, World } from '../test-support/random-world.js';
import { EVERYTHING } from '../relevance/change-scope.js';
import type { ChangeScope } from '../relevance/change-scope.js';

/** One instant for both (certificates are judged at it). */
const NOW = Date.now();
const NAMESPACES = ['a', 'b'];
const SERVICES = ['s1', 's2', 's3'];
const INGRESSES = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6', 'i7', 'i8'];
const HOSTS = ['x.example.com', 'y.example.com', 'z.example.com', 'w.example.com', 'www.x.example.com', '*.example.com', 'BAD_HOST'];
const SECRETS = ['t1', 't2'];
const CLASSES = ['portico', 'portico2', 'other'];
const N = 'nginx.ingress.kubernetes.io/';

let certificates: { cert: string; key: string }[] = [];

beforeAll(async () => {
  certificates = await exampleCertificates('incremental test CA');
});

/** How often Ingresses shape every host of their class (anchors) or make hosts from all others (www twins, aliases). */
interface Rarities {
  anchors: number;
  globals: number;
}

function randomIngress(w: World, rare: Rarities): Record<string, unknown> {
  const name = w.pick(INGRESSES);
  const namespace = w.pick(NAMESPACES);
  const backend = (): object => ({ service: { name: w.pick(SERVICES), port: w.chance(0.8) ? { number: w.pick([80, 8080]) } : { name: 'http' } } });
  const annotations: Record<string, string> = {};
  const maybe = (p: number, key: string, value: string): void => void (w.chance(p) && (annotations[N + key] = value));
  maybe(0.15, 'ssl-redirect', w.pick(['true', 'false']));
  maybe(0.15, 'force-ssl-redirect', 'true');
  maybe(0.1, 'rewrite-target', '/$1');
  maybe(0.1, 'use-regex', 'true');
  maybe(0.1, 'app-root', '/home');
  maybe(0.1, 'backend-protocol', 'GRPC');
  maybe(0.1, 'load-balance', 'ewma');
  maybe(0.08, 'whitelist-source-range', w.pick(['10.0.0.0/8', 'not-a-cidr']));
  maybe(0.08, 'auth-url', `http://${w.pick(SERVICES)}.${w.pick(NAMESPACES)}.svc/auth`);
  maybe(0.05, 'auth-tls-secret', 'a/ca');
  maybe(0.08, 'limit-rps', '5');
  maybe(0.05, 'affinity', 'cookie');
  maybe(0.08, 'service-upstream', 'true');
  if (w.chance(0.12)) {
    annotations[`${N}canary`] = 'true';
    annotations[`${N}canary-weight`] = w.pick(['10', '50']);
  }
  maybe(rare.globals, 'from-to-www-redirect', 'true');
  maybe(rare.globals, 'server-alias', w.pick(['alias.example.com', 'y.example.com']));
  const className = w.pick(['portico', 'portico', 'portico', 'portico2', 'other', 'none']);
  const paths = (): object[] => Array.from({ length: 1 + Math.floor(w.r() * 2) }, () => ({ path: w.pick(['/', '/', '/api', '/api/(.*)', '/v2']), pathType: w.pick(['Prefix', 'Exact', 'ImplementationSpecific']), backend: backend() }));
  const rules = Array.from({ length: w.chance(rare.anchors / 2) ? 0 : 1 + Math.floor(w.r() * 1.6) }, () => (w.chance(rare.anchors) ? { http: { paths: paths() } } : { host: w.pick(HOSTS), http: { paths: paths() } }));
  const spec: Record<string, unknown> = { rules };
  if (className !== 'none') spec['ingressClassName'] = className;
  if (rules.length === 0 || w.chance(rare.anchors)) spec['defaultBackend'] = backend();
  if (w.chance(0.35)) spec['tls'] = [{ hosts: [w.pick(HOSTS)], secretName: w.pick([...SECRETS, 'missing']) }];
  // Some share an age: ties fall back to the name.
  const age = INGRESSES.indexOf(name) * 1000 + (w.chance(0.8) ? NAMESPACES.indexOf(namespace) : 0);
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace, annotations, creationTimestamp: new Date(Date.UTC(2025, 0, 1) + age).toISOString() }, spec };
}

function randomService(w: World): Record<string, unknown> {
  const ports = [{ name: 'http', port: 80, protocol: 'TCP' }, ...(w.chance(0.5) ? [{ name: 'grpc', port: 8080, protocol: 'TCP', appProtocol: 'grpc' }] : [])];
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: w.pick(SERVICES), namespace: w.pick(NAMESPACES) }, spec: { ports, ...(w.chance(0.6) ? { clusterIP: '10.96.0.1' } : {}) } };
}

function randomSlice(w: World, service = w.pick(SERVICES), namespace = w.pick(NAMESPACES), bad = 0.02): Record<string, unknown> {
  const endpoints = Array.from({ length: 1 + Math.floor(w.r() * 3) }, () => ({ addresses: [w.chance(bad) ? 'bogus' : w.pick(['10.0.0.1', '10.0.0.2', '10.0.1.1'])], conditions: { ready: w.chance(0.85) }, zone: w.pick(['z1', 'z2']) }));
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${service}-${w.pick(['x', 'y'])}`, namespace, labels: { 'kubernetes.io/service-name': service } }, addressType: 'IPv4', ports: [{ name: 'http', port: w.pick([8080, 9090]) }], endpoints };
}

function randomSecret(w: World): Record<string, unknown> {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const pair = w.chance(0.9) ? w.pick(certificates) : { cert: 'not a certificate', key: 'nor a key' };
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: w.pick(SECRETS), namespace: w.pick(NAMESPACES) }, data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) } };
}

function randomClass(w: World, name = w.pick(CLASSES)): Record<string, unknown> {
  const ours = name === 'other' ? w.chance(0.1) : w.chance(0.95);
  const annotations = w.chance(0.3) ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {};
  const parameters = name === 'portico2' ? { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: 'p' } : undefined;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations, creationTimestamp: new Date(Date.UTC(2024, 0, 1 + CLASSES.indexOf(name))).toISOString() }, spec: { controller: ours ? 'portico.dev/ingress-controller' : 'example.com/other', ...(parameters ? { parameters } : {}) } };
}

function randomParameters(w: World): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (w.chance(0.6)) spec['tls'] = { defaultCertificate: { namespace: w.pick(NAMESPACES), name: w.pick(SECRETS) } };
  if (w.chance(0.3)) spec['annotationFamilies'] = { unhonouredAccessControl: 'Warn' };
  if (w.chance(0.1)) spec['routing'] = 'not an object';
  return { apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name: 'p' }, spec };
}

/** Every field a full translation gives, the private keys of certificates included. */
function comparable(config: EnvoyConfig): unknown {
  return JSON.parse(JSON.stringify(config));
}

/**
 * Each fleet's cluster and secret lists, by fleet and kind. (Not load assignments: cluster variants
 * share one, so a cluster list that changed can give the same assignments in a new list.)
 */
function lists(config: EnvoyConfig): Map<string, readonly object[]> {
  return new Map(config.fleets.flatMap((f) => (['clusters', 'secrets'] as const).map((kind) => [`${f.fleet} ${kind}`, f.resources[kind]] as const)));
}

/** One random history; the translator is told what changed as the watch would tell it. */
function run(seed: number, steps: number, rare: Rarities): IncrementalTranslator['counters'] {
  const w = new World(seededRandom(seed));
  const translator = new IncrementalTranslator();
  for (const name of CLASSES) w.put('IngressClass', randomClass(w, name));
  w.put('ClusterIngressClassParameters', randomParameters(w));
  for (let i = 0; i < 10; i++) w.put('Ingress', randomIngress(w, rare));
  for (let i = 0; i < 6; i++) w.put('Service', randomService(w));
  for (const namespace of NAMESPACES) for (const service of SERVICES) w.put('EndpointSlice', randomSlice(w, service, namespace, 0));
  for (let i = 0; i < 3; i++) w.put('Secret', randomSecret(w));
  let previousConfig = translator.translate(w.state(), EVERYTHING, NOW);

  let pending: { full: boolean; ingresses: Set<string>; services: Set<string> } = { full: false, ingresses: new Set(), services: new Set() };
  for (let step = 0; step < steps; step++) {
    const kind: SupportedKind = w.pick(['Ingress', 'Ingress', 'Ingress', 'Ingress', 'Ingress', 'Ingress', 'Ingress', 'Ingress', 'EndpointSlice', 'EndpointSlice', 'Service', 'Secret', 'IngressClass', 'ClusterIngressClassParameters']);
    const make = { Ingress: () => randomIngress(w, rare), Service: () => randomService(w), EndpointSlice: () => randomSlice(w), Secret: () => randomSecret(w), IngressClass: () => randomClass(w), ClusterIngressClassParameters: () => randomParameters(w) } as Record<string, () => Record<string, unknown>>;
    const keys = w.keys(kind);
    const touched = w.chance(0.2) && keys.length > 0 ? w.remove(kind, w.pick(keys)) : w.put(kind, (make[kind] as () => Record<string, unknown>)());
    if (!touched) continue;
    if (kind === 'Ingress') pending.ingresses.add(touched.key);
    else if (kind === 'EndpointSlice') {
      for (const slice of [touched.previous, touched.current] as ({ metadata?: { namespace?: string; labels?: Record<string, string> } } | undefined)[]) {
        const service = slice?.metadata?.labels?.['kubernetes.io/service-name'];
        if (service) pending.services.add(`${slice?.metadata?.namespace ?? ''}/${service}`);
      }
    } else pending.full = true;
    // Changes pile up now and then, as the coalescer lets them.
    if (w.chance(0.3)) continue;
    const state = w.state();
    const scope: ChangeScope = pending;
    pending = { full: false, ingresses: new Set(), services: new Set() };
    const before = lists(previousConfig);
    const incremental = translator.translate(state, scope, NOW);
    expect(comparable(incremental), `seed ${seed}, step ${step}`).toEqual(comparable(buildEnvoyConfig(state, NOW)));
    // A list an incremental change leaves as it was (the very same elements) stays the very same
    // list, so nothing made from the whole list is made again (the Envoy stage's, the cache's).
    if (translator.lastPath === 'incremental') {
      for (const [key, list] of lists(incremental)) {
        const old = before.get(key);
        if (old !== undefined && old.length === list.length && old.every((item, i) => item === list[i])) expect(list === old, `seed ${seed}, step ${step}: ${key} holds the same objects in another list`).toBe(true);
      }
    }
    previousConfig = incremental;
  }
  return translator.counters;
}

/** Runs the histories; the incremental path must mostly be taken by changes of Ingresses and endpoints alone. */
function runAll(seeds: readonly number[], steps: number, rare: (seed: number) => Rarities): void {
  let incremental = 0;
  let fallbacks = 0;
  for (const seed of seeds) {
    const counters = run(seed, steps, rare(seed));
    incremental += counters.incremental;
    const { first, 'other-kinds': otherKinds, ...because } = counters.fullBecause;
    fallbacks += Object.values(because).reduce((a, b) => a + b, 0);
    expect(first + otherKinds).toBeGreaterThan(0);
  }
  expect(incremental).toBeGreaterThan(fallbacks);
}

describe('incremental translation', () => {
  it('equals a full translation after every change of thousands of random steps', () => {
    runAll([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 250, (seed) => ({ anchors: seed % 3 === 0 ? 0.04 : 0.01, globals: seed % 3 === 0 ? 0.04 : 0.01 }));
  });

  it('equals it too where default backends and hostless rules are common (they reach every host)', () => {
    runAll([21, 22, 23, 24, 25, 26, 27, 28], 200, () => ({ anchors: 0.1, globals: 0 }));
  });
});
