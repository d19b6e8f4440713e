// Property: routing watch events through ChangeRouter (skip what cannot matter, publish endpoint
// changes as ClusterLoadAssignment updates, translate the rest through IncrementalTranslator told
// what changed) serves, after every event, exactly
// what rebuilding everything on every event serves: the same fleets, the same versions and bytes
// of every resource in both views, the same origins and the same diagnostics.
import { beforeAll, describe, expect, it } from 'vitest';
import { withGrpcView } from '../../../xds-server/src/grpc/grpc-view.js';
import { RESOURCE_KINDS } from '../../../xds-server/src/cache/fleet-snapshot.js';
import type { FleetSnapshot } from '../../../xds-server/src/cache/fleet-snapshot.js';
import { SnapshotCache } from '../../../xds-server/src/cache/snapshot-cache.js';
import { withVirtualHostDiscovery } from '../../../xds-server/src/cache/virtual-host-discovery.js';
import type { FleetResources, PublishOptions, ResourceOrigins } from '../../../xds-server/src/index.js';
import type { ResourceKind } from '../../../xds-server/src/protos/envoy-protos.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { publishConfig } from '../serve/fleet-publication.js';
import type { ServedFleet } from '../serve/fleet-publication.js';
import type { ObjectChange } from '../sources/kubernetes/reflector.js';
import type { ClusterState, SupportedKind } from '../store/cluster-state.js';
import { seededRandom } from '../../../xds-server/src/test-support/seeded-random.js';
import { ChangeRouter } from './change-router.js';
import { exampleCertificates, World } from '../test-support/random-world.js';
import type { ChangeScope } from './change-scope.js';
import { IncrementalTranslator } from '../incremental/incremental-translator.js';

/** One instant for both pipelines (certificates are judged at it). */
const NOW = Date.now();
const NAMESPACES = ['a', 'b'];
const SERVICES = ['s1', 's2', 's3'];
const INGRESSES = ['i1', 'i2', 'i3', 'i4', 'i5'];
const SLICES = ['s1-x', 's1-y', 's2-x', 's2-y', 's3-x'];
const SECRETS = ['t1', 't2'];
const CLASSES = ['portico', 'portico2', 'other'];

/** Publishes as XdsServer.publishFleet does (gRPC API listeners in SotW, VHDS for Delta when asked). */
class CachePublisher {
  readonly cache = new SnapshotCache();
  publishFleet(fleet: string, resources: FleetResources, origins: ResourceOrigins = {}, options: PublishOptions = {}): { changed: string[]; problems: ReturnType<SnapshotCache['publish']>['problems'] } {
    const sotw = withGrpcView({ resources, origins }, options.grpc);
    const delta = options.virtualHostDiscovery ? withVirtualHostDiscovery(resources, origins) : { resources, origins };
    return this.cache.publish(fleet, sotw.resources, sotw.origins, delta);
  }
  removeFleet(fleet: string): boolean {
    return this.cache.remove(fleet);
  }
  updateResources(fleet: string, kind: ResourceKind, upserts: readonly object[], removals?: readonly string[], origins?: ResourceOrigins): ReturnType<SnapshotCache['updateResources']> {
    return this.cache.updateResources(fleet, kind, upserts, removals, origins);
  }
}

/**
 * A translation and publish of the state, as cluster mode's reconcile does: in full (the
 * reference), or through IncrementalTranslator told what the router saw change (the subject).
 */
class Pipeline {
  readonly publisher = new CachePublisher();
  readonly translator = new IncrementalTranslator();
  served: ServedFleet[] = [];
  diagnostics: Diagnostic[] = [];
  rebuild(state: ClusterState, changes?: ChangeScope): { config: ReturnType<typeof buildEnvoyConfig>; problems: Diagnostic[] } {
    const config = changes ? this.translator.translate(state, changes, NOW) : buildEnvoyConfig(state, NOW);
    const result = publishConfig(this.publisher, config, this.served);
    this.served = result.served;
    this.diagnostics = [...config.diagnostics, ...(result.problems ?? [])];
    return { config, problems: result.problems ?? [] };
  }
}

function served(snapshot: FleetSnapshot): unknown {
  const view = (types: FleetSnapshot['types']): unknown =>
    Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, [types[kind].version, types[kind].wildcardVersion, [...types[kind].resources.values()].map((r) => [r.name, r.version, r.bytes.toString('base64')])]]));
  return { sotw: view(snapshot.types), delta: view(snapshot.deltaTypes), origins: snapshot.origins };
}

function everything(publisher: CachePublisher): unknown {
  return publisher.cache.fleetNames().map((fleet) => [fleet, served(publisher.cache.get(fleet))]);
}

let certificates: { cert: string; key: string }[] = [];

beforeAll(async () => {
  certificates = await exampleCertificates('relevance test CA');
});

function randomIngress(w: World): Record<string, unknown> {
  const name = w.pick(INGRESSES);
  const namespace = w.pick(NAMESPACES);
  const backend = (): object => ({ service: { name: w.pick(SERVICES), port: w.chance(0.75) ? { number: w.pick([80, 8080, 81]) } : { name: w.pick(['http', 'grpc']) } } });
  const annotations: Record<string, string> = {};
  if (w.chance(0.2)) annotations['nginx.ingress.kubernetes.io/service-upstream'] = 'true';
  if (w.chance(0.15)) annotations['nginx.ingress.kubernetes.io/backend-protocol'] = 'GRPC';
  if (w.chance(0.2)) annotations['nginx.ingress.kubernetes.io/auth-url'] = `http://${w.pick(SERVICES)}.${w.pick(NAMESPACES)}.svc/auth`;
  const className = w.pick(['portico', 'portico', 'portico2', 'other', 'none', 'legacy']);
  if (className === 'legacy') annotations['kubernetes.io/ingress.class'] = 'portico';
  const host = w.pick(['x.example.com', 'y.example.com', 'z.example.com']);
  const spec: Record<string, unknown> = {
    rules: [{ host, http: { paths: [{ path: w.pick(['/', '/api']), pathType: 'Prefix', backend: backend() }, ...(w.chance(0.5) ? [{ path: '/v2', pathType: 'Exact', backend: backend() }] : [])] } }],
  };
  if (className !== 'none' && className !== 'legacy') spec['ingressClassName'] = className;
  if (w.chance(0.2)) spec['defaultBackend'] = backend();
  if (w.chance(0.3)) spec['tls'] = [{ hosts: [host], secretName: w.pick(SECRETS) }];
  const age = INGRESSES.indexOf(name) * 1000 + NAMESPACES.indexOf(namespace);
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace, annotations, creationTimestamp: new Date(Date.UTC(2025, 0, 1) + age).toISOString() }, spec };
}

function randomService(w: World): Record<string, unknown> {
  const ports: object[] = [];
  if (w.chance(0.8)) ports.push({ name: 'http', port: 80, protocol: 'TCP' });
  if (w.chance(0.5)) ports.push({ name: 'grpc', port: 8080, protocol: 'TCP', ...(w.chance(0.5) ? { appProtocol: 'grpc' } : {}) });
  if (w.chance(0.1)) ports.push({ name: 'http-udp', port: 80, protocol: 'UDP' });
  const external = w.chance(0.08);
  const spec: Record<string, unknown> = external ? { type: 'ExternalName', externalName: 'example.org', ports } : { ports, ...(w.chance(0.6) ? { clusterIP: `10.96.0.${1 + Math.floor(w.chance(0.5) ? 1 : 2)}` } : {}) };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: w.pick(SERVICES), namespace: w.pick(NAMESPACES) }, spec };
}

function randomSlice(w: World, name = w.pick(SLICES), namespace = w.pick(NAMESPACES)): Record<string, unknown> {
  const own = name.split('-')[0] ?? 's1';
  const service = w.chance(0.9) ? own : w.pick(SERVICES);
  const ports: object[] = [];
  if (w.chance(0.85)) ports.push({ name: 'http', port: w.chance(0.97) ? w.pick([8080, 9090]) : 0 });
  if (w.chance(0.5)) ports.push({ name: 'grpc', port: 9000 });
  const addressType = w.chance(0.95) ? 'IPv4' : w.pick(['IPv6', 'FQDN']);
  const endpoints = Array.from({ length: 1 + Math.floor(w.pick([0, 1, 2])) }, () => ({
    addresses: [w.chance(0.98) ? w.pick(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.1.1']) : 'bogus'],
    ...(w.chance(0.8) ? { conditions: { ready: w.chance(0.8) } } : {}),
    ...(w.chance(0.6) ? { zone: w.pick(['z1', 'z2']) } : {}),
  }));
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, namespace, labels: { 'kubernetes.io/service-name': service } }, addressType, ports, endpoints };
}

function randomSecret(w: World): Record<string, unknown> {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const pair = w.chance(0.85) ? w.pick(certificates) : { cert: 'not a certificate', key: 'nor a key' };
  return { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: w.pick(SECRETS), namespace: w.pick(NAMESPACES) }, data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) } };
}

function randomClass(w: World): Record<string, unknown> {
  const name = w.pick(CLASSES);
  const ours = name === 'other' ? w.chance(0.1) : w.chance(0.9);
  const annotations = w.chance(0.3) ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {};
  const parameters = name === 'portico2' && w.chance(0.9) ? { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: 'p' } : undefined;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, annotations, creationTimestamp: new Date(Date.UTC(2024, 0, 1 + CLASSES.indexOf(name))).toISOString() }, spec: { controller: ours ? 'portico.dev/ingress-controller' : 'example.com/other', ...(parameters ? { parameters } : {}) } };
}

function randomParameters(w: World): Record<string, unknown> {
  const spec = w.chance(0.7) ? { tls: { defaultCertificate: { namespace: w.pick(NAMESPACES), name: w.pick(SECRETS) } } } : {};
  return { apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name: 'p' }, spec };
}

const RANDOM: Partial<Record<SupportedKind, (w: World) => Record<string, unknown>>> = {
  Ingress: randomIngress,
  Service: randomService,
  EndpointSlice: (w) => randomSlice(w),
  Secret: randomSecret,
  IngressClass: randomClass,
  ClusterIngressClassParameters: randomParameters,
};

function randomChange(w: World, slicesOnly: boolean): ObjectChange | undefined {
  if (w.chance(0.08)) return w.again();
  const kind: SupportedKind = slicesOnly ? 'EndpointSlice' : w.pick(['EndpointSlice', 'EndpointSlice', 'EndpointSlice', 'Ingress', 'Ingress', 'Service', 'Secret', 'IngressClass', 'ClusterIngressClassParameters']);
  if (w.chance(slicesOnly ? 0.05 : 0.2)) {
    const keys = w.keys(kind);
    return keys.length > 0 ? w.remove(kind, w.pick(keys)) : undefined;
  }
  return w.put(kind, (RANDOM[kind] as (w: World) => Record<string, unknown>)(w));
}

/** Runs one random history; returns the router's counters. */
function run(seed: number, steps: number, slicesOnly: boolean): ChangeRouter['counters'] & { incremental: number } {
  const w = new World(seededRandom(seed));
  const reference = new Pipeline();
  const subject = new Pipeline();
  let rebuildDue = false;
  let flushDue = false;
  const router = new ChangeRouter({
    ownership: { controllerName: 'portico.dev/ingress-controller' },
    publisher: subject.publisher,
    rebuild: () => void (rebuildDue = true),
    scheduleEndpoints: () => void (flushDue = true),
  });
  const rebuildSubject = (): void => {
    rebuildDue = false;
    const changes = router.rebuilding();
    const { config, problems } = subject.rebuild(w.state(), changes);
    router.rebuilt(config, problems);
  };
  // A populated cluster, listed once.
  const initial: ObjectChange[] = [];
  for (const name of CLASSES) initial.push(w.put('IngressClass', { ...randomClass(w), metadata: { name, creationTimestamp: new Date(Date.UTC(2024, 0, 1 + CLASSES.indexOf(name))).toISOString() } }));
  initial.push(w.put('ClusterIngressClassParameters', randomParameters(w)));
  for (let i = 0; i < 12; i++) initial.push(w.put('Ingress', randomIngress(w)));
  for (let i = 0; i < 8; i++) initial.push(w.put('Service', randomService(w)));
  for (const namespace of NAMESPACES) for (const name of SLICES) initial.push(w.put('EndpointSlice', randomSlice(w, name, namespace)));
  for (let i = 0; i < 4; i++) initial.push(w.put('Secret', randomSecret(w)));
  router.observe(initial);
  rebuildSubject();
  reference.rebuild(w.state());

  for (let step = 0; step < steps; step++) {
    const change = randomChange(w, slicesOnly);
    if (!change) continue;
    router.observe([change]);
    // The two coalescers fire in either order, or not yet (changes pile up). The reference
    // rebuilds at the same moments: a held class keeps what was last published, so when a
    // rebuild happens is part of the output, for either pipeline.
    if (w.chance(0.3)) continue;
    reference.rebuild(w.state());
    while (rebuildDue || flushDue) {
      if (flushDue && (!rebuildDue || w.chance(0.5))) {
        flushDue = false;
        router.flushEndpoints();
      } else rebuildSubject();
    }
    const context = `seed ${seed}, step ${step}, ${change.kind} ${change.key}`;
    expect(everything(subject.publisher), context).toEqual(everything(reference.publisher));
    expect(subject.diagnostics, context).toEqual(reference.diagnostics);
  }
  return { ...router.counters, incremental: subject.translator.counters.incremental };
}

describe('ChangeRouter against rebuilding on every event', () => {
  it('serves the same configuration and diagnostics after any sequence of object events', () => {
    const totals = { skipped: 0, rebuilds: 0, assignmentsUpdated: 0, endpointFallbacks: 0, originsUpdated: 0, incremental: 0 };
    for (let seed = 1; seed <= 16; seed++) {
      const counters = run(seed, 120, false);
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counters[key];
    }
    // The history exercises every path: skipped events, endpoint updates and rebuilds.
    expect(totals.skipped).toBeGreaterThan(100);
    expect(totals.assignmentsUpdated).toBeGreaterThan(20);
    expect(totals.rebuilds).toBeGreaterThan(100);
    expect(totals.incremental).toBeGreaterThan(50);
  }, 240_000);

  it('keeps the ClusterLoadAssignments byte for byte equal to a full translation over slice events alone, mostly without rebuilding', () => {
    const totals = { skipped: 0, rebuilds: 0, assignmentsUpdated: 0, endpointFallbacks: 0, originsUpdated: 0, incremental: 0 };
    for (let seed = 100; seed < 108; seed++) {
      const counters = run(seed, 150, true);
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counters[key];
    }
    expect(totals.assignmentsUpdated).toBeGreaterThan(50);
    expect(totals.skipped).toBeGreaterThan(100);
    // Slices that came, went or changed Service took the endpoint path too (new origins published).
    expect(totals.originsUpdated).toBeGreaterThan(20);
  }, 240_000);
});
