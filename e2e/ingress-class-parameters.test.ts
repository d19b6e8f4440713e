// IngressClass parameters in cluster mode, end to end against a real API server with the CRDs
// installed: two classes with their own parameters are two fleets with different configuration;
// a parameters change re-publishes only its own fleet; a class whose parameters disappear keeps
// serving its last good configuration and gets a Warning Event; the leader writes parameters
// status and takes each class's Ingress status address from its parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '../observability/src/index.js';
import type { LogFields } from '../observability/src/index.js';
import { requestJson } from '../operator/src/kube/kube-http.js';
import { startClusterMode } from '../operator/src/serve/cluster-mode.js';
import type { ClusterMode } from '../operator/src/serve/cluster-mode.js';
import type { ParametersStatus } from '../operator/src/store/parameters-objects.js';
import { startControlPlane } from './harness/control-plane.js';
import type { ControlPlane } from './harness/control-plane.js';
import { kustomizationResources, manifestObjects } from './support/kustomization.js';
import { REPO_ROOT } from './support/portico-process.js';
import { ServerSideApplier } from './support/server-side-apply.js';
import type { ManifestObject } from './support/server-side-apply.js';

const NS = 'params-e2e';
const PARAMS_NS = 'platform';
const GV = 'portico.dev/v1alpha1';

let plane: ControlPlane;
let kc: KubeConfig;
let applier: ServerSideApplier;
let operator: ClusterMode;
const logs: LogFields[] = [];

const edgeParameters = (spec: object): ManifestObject => ({ apiVersion: GV, kind: 'IngressClassParameters', metadata: { name: 'edge', namespace: PARAMS_NS }, spec });

function ingressClass(name: string, parameters: object): ManifestObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: 'portico.dev/ingress-controller', parameters: { apiGroup: 'portico.dev', ...parameters } } };
}

function ingress(name: string, className: string, host: string): ManifestObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: NS },
    spec: { ingressClassName: className, rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const versionsOf = (fleet: string): string => JSON.stringify(operator.server.fleets().find((f) => f.fleet === fleet)?.versions ?? null);

beforeAll(async () => {
  plane = await startControlPlane();
  kc = plane.kubeConfig();
  applier = new ServerSideApplier(kc, 'portico-e2e');
  for (const crd of manifestObjects(kustomizationResources(`${REPO_ROOT}/crds`))) {
    await applier.apply({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: crd.metadata, spec: crd['spec'] });
  }
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of [NS, PARAMS_NS]) await core.createNamespace({ body: { metadata: { name } } });
  // The CRDs serve a moment after they are created, each in its own time: both kinds are applied
  // inside the wait, or discovery cached while only one was served fails the other.
  await until(async () => {
    try {
      await applier.apply(edgeParameters({ fleet: 'edge-fleet', listeners: { http: { port: 8081 } }, statusAddress: { addresses: ['192.0.2.10'] } }));
      await applier.apply({ apiVersion: GV, kind: 'ClusterIngressClassParameters', metadata: { name: 'internal' }, spec: { accessLog: { enabled: true } } });
      return true;
    } catch {
      applier.refresh();
      return false;
    }
  }, 'the CRDs to serve');
  await applier.apply(ingressClass('edge', { kind: 'IngressClassParameters', scope: 'Namespace', namespace: PARAMS_NS, name: 'edge' }));
  await applier.apply(ingressClass('internal', { kind: 'ClusterIngressClassParameters', scope: 'Cluster', name: 'internal' }));
  await applier.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: NS }, spec: { ports: [{ name: 'http', port: 80 }] } });
  await applier.apply(ingress('shop', 'edge', 'shop.example.com'));
  await applier.apply(ingress('wiki', 'internal', 'wiki.example.com'));
  operator = await startClusterMode({
    kubeconfig: plane.kubeconfigPath,
    xdsAddress: '127.0.0.1:0',
    healthAddress: '127.0.0.1:0',
    logger: createLogger({ write: (line) => void logs.push(JSON.parse(line) as LogFields) }),
    leaderElection: false,
    holdoffMs: 20,
    maxDelayMs: 200,
  });
}, 180_000);

afterAll(async () => {
  await operator?.stop(0);
  await plane?.stop();
});

describe('IngressClass parameters in cluster mode', () => {
  it('serve each class as its own fleet, write parameters status, and take Ingress status from the parameters', async () => {
    await until(() => operator.fleets().length === 2, 'both fleets');
    expect(operator.fleets()).toEqual([
      { fleet: 'edge-fleet', ingressClass: 'edge' },
      { fleet: 'internal', ingressClass: 'internal' },
    ]);
    const statusOf = async (path: string): Promise<ParametersStatus | undefined> => ((await requestJson(kc, 'GET', path, AbortSignal.timeout(5_000))) as { status?: ParametersStatus }).status;
    await until(async () => (await statusOf(`/apis/${GV}/namespaces/${PARAMS_NS}/ingressclassparameters/edge`))?.conditions?.[0]?.reason === 'Accepted', 'the parameters status');
    // Each parameters object's status is its own write: the other one may come a moment later.
    await until(async () => (await statusOf(`/apis/${GV}/clusteringressclassparameters/internal`))?.conditions?.[0]?.reason === 'Accepted', 'the cluster parameters status');
    expect(await statusOf(`/apis/${GV}/clusteringressclassparameters/internal`)).toMatchObject({ ingressClasses: ['internal'], conditions: [{ type: 'Accepted', status: 'True' }] });
    const networking = kc.makeApiClient(NetworkingV1Api);
    await until(async () => (await networking.readNamespacedIngress({ namespace: NS, name: 'shop' })).status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.10', 'the Ingress status from the parameters');
    // The other class has no statusAddress and the operator no flag: its Ingress is left alone.
    expect((await networking.readNamespacedIngress({ namespace: NS, name: 'wiki' })).status?.loadBalancer?.ingress ?? []).toEqual([]);
  });

  it('re-publish only the fleet whose parameters changed', async () => {
    const internalBefore = versionsOf('internal');
    const edgeBefore = versionsOf('edge-fleet');
    const from = logs.length;
    await applier.apply(edgeParameters({ fleet: 'edge-fleet', listeners: { http: { port: 8081 } }, statusAddress: { addresses: ['192.0.2.10'] }, timeouts: { request: '30s' } }));
    await until(() => versionsOf('edge-fleet') !== edgeBefore, 'the edge fleet to change');
    expect(versionsOf('internal')).toBe(internalBefore);
    const changed = logs.slice(from).filter((l) => l['event'] === 'config.applied').flatMap((l) => l['changed'] as string[]);
    expect([...new Set(changed)]).toEqual(['edge-fleet']);
  });

  it('refuse VHDS for a fleet that declares no Envoy that accepts it, with a condition and a Warning Event, and serve it once one is declared', async () => {
    const path = `/apis/${GV}/clusteringressclassparameters/internal`;
    const conditionOf = async (): Promise<{ status?: string; reason?: string } | undefined> =>
      ((await requestJson(kc, 'GET', path, AbortSignal.timeout(5_000))) as { status?: ParametersStatus }).status?.conditions?.find((c) => c.type === 'VirtualHostDiscovery');
    const virtualHosts = (): number => operator.server.fleets().find((f) => f.fleet === 'internal')?.resources.virtualHost ?? -1;

    // The CRD itself refuses a version that is not a minor release.
    await expect(applier.apply({ apiVersion: GV, kind: 'ClusterIngressClassParameters', metadata: { name: 'internal' }, spec: { envoy: { version: 'v1.40.0' } } })).rejects.toThrow(/spec\.envoy\.version/);

    await applier.apply({ apiVersion: GV, kind: 'ClusterIngressClassParameters', metadata: { name: 'internal' }, spec: { accessLog: { enabled: true }, envoy: { virtualHostDiscovery: true } } });
    await until(async () => (await conditionOf())?.reason === 'EnvoyVersionNotDeclared', 'the VirtualHostDiscovery=False condition');
    expect(await conditionOf()).toMatchObject({ status: 'False' });
    const core = kc.makeApiClient(CoreV1Api);
    const warnings = async () => (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=internal' })).items.filter((e) => e.reason === 'ConfigurationWarning');
    await until(async () => (await warnings()).some((e) => e.message?.includes('spec.envoy.virtualHostDiscovery needs spec.envoy.version')), 'the Warning Event on IngressClass internal');
    expect((await warnings())[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'IngressClass', name: 'internal' } });
    expect(virtualHosts()).toBe(0);

    await applier.apply({ apiVersion: GV, kind: 'ClusterIngressClassParameters', metadata: { name: 'internal' }, spec: { accessLog: { enabled: true }, envoy: { version: '1.40', virtualHostDiscovery: true } } });
    await until(async () => (await conditionOf())?.reason === 'Enabled', 'the VirtualHostDiscovery=True condition');
    await until(() => virtualHosts() > 0, 'the internal fleet to be split with VHDS for Delta clients');
  });

  it('keep the last good configuration of a class whose parameters are deleted, with a Warning Event on the class', async () => {
    const edgeBefore = versionsOf('edge-fleet');
    await requestJson(kc, 'DELETE', `/apis/${GV}/namespaces/${PARAMS_NS}/ingressclassparameters/edge`, AbortSignal.timeout(5_000));
    await until(() => logs.filter((l) => l['event'] === 'config.applied').at(-1)?.['held']?.toString() === 'edge-fleet', 'the class to be held');
    // A new Ingress of the held class must not be published either: the fleet stays as it was.
    const from = logs.length;
    await applier.apply(ingress('shop-2', 'edge', 'shop2.example.com'));
    await until(() => logs.slice(from).some((l) => l['event'] === 'config.applied'), 'a reconcile with the new Ingress');
    const core = kc.makeApiClient(CoreV1Api);
    await until(async () => (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=edge' })).items.some((e) => e.reason === 'ConfigurationError'), 'the Warning Event on IngressClass edge');
    const event = (await core.listNamespacedEvent({ namespace: 'default', fieldSelector: 'involvedObject.name=edge' })).items.find((e) => e.reason === 'ConfigurationError');
    expect(event).toMatchObject({ type: 'Warning', involvedObject: { kind: 'IngressClass', name: 'edge' } });
    expect(event?.message).toBe(`spec.parameters: IngressClassParameters ${PARAMS_NS}/edge not found; the class keeps serving its last good configuration until it exists`);
    expect(logs.filter((l) => l['event'] === 'config.applied').at(-1)).toMatchObject({ held: ['edge-fleet'] });
    expect(operator.fleets()).toEqual([
      { fleet: 'edge-fleet', ingressClass: 'edge' },
      { fleet: 'internal', ingressClass: 'internal' },
    ]);
    expect(versionsOf('edge-fleet')).toBe(edgeBefore);

    await applier.apply(edgeParameters({ fleet: 'edge-fleet' }));
    await until(() => versionsOf('edge-fleet') !== edgeBefore, 'the edge fleet to be served again');
    expect(logs.filter((l) => l['event'] === 'config.applied').at(-1)).toMatchObject({ held: [] });
  });
});
