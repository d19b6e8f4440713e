// Failure and recovery against a real API server. (1) The API server is down for 20 s: a change
// of every watched kind made once it is back (Ingress, IngressClass, Service, EndpointSlice, TLS
// Secret, IngressClassParameters, ClusterIngressClassParameters) is published to its fleet within
// 2 s (asserted < 5 s: 2 shared cores), and the parameters do not go missing while the restarted
// server loads its CRDs. (2) A leader that dies without releasing its Lease (kill -9: here its
// connection to the API server is refused, then it is stopped) is replaced within the lease
// duration plus a retry period, with the default Lease settings. (3) What the operator writes
// carries its field manager (`portico`) and Events their reporting controller and instance. (4) An
// Ingress whose class is held is not told its problem is resolved.
// Measured figures go to the log ([outage] lines) and docs/install.md "Failure and recovery".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoordinationV1Api, EventsV1Api } from '@kubernetes/client-node';
import { requestJson } from '../../operator/src/kube/kube-http.js';
import { kustomizationResources, manifestObjects } from '../support/kustomization.js';
import { REPO_ROOT } from '../support/portico-process.js';
import { ServerSideApplier } from '../support/server-side-apply.js';
import type { ManifestObject } from '../support/server-side-apply.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { createTestCa, tlsSecretObject } from '../support/tls-secrets.js';
import { OPERATOR_NAMESPACE, eventually, startOperator, startTestbed } from './testbed.js';
import type { Operator, Testbed } from './testbed.js';

const GV = 'portico.dev/v1alpha1';
const DOWN_MS = 20_000;
const CONTROLLER = 'portico.dev/ingress-controller';

let bed: Testbed;
let ns: string;
let applier: ServerSideApplier;
let operator: Operator;
const stopLater: Array<() => Promise<unknown>> = [];

const report = (line: string): void => void process.stderr.write(`[outage] ${line}\n`);

function ingressClass(name: string, parameters?: object): ManifestObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: CONTROLLER, ...(parameters ? { parameters: { apiGroup: 'portico.dev', ...parameters } } : {}) } };
}

function ingress(name: string, className: string, hosts: string[], serviceName: string, tls?: { secretName: string }): ManifestObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns },
    spec: {
      ingressClassName: className,
      ...(tls ? { tls: [{ hosts, secretName: tls.secretName }] } : {}),
      rules: hosts.map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: serviceName, port: { number: 80 } } } }] } })),
    },
  };
}

const service = (name: string, port = 80): ManifestObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port, targetPort: 8080 }] } });

const slice = (serviceName: string, address: string): ManifestObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${serviceName}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: [{ addresses: [address], conditions: { ready: true } }],
} as ManifestObject);

const params = (request: string): ManifestObject => ({ apiVersion: GV, kind: 'IngressClassParameters', metadata: { name: 'pp', namespace: ns }, spec: { timeouts: { request } } });
const clusterParams = (request: string): ManifestObject => ({ apiVersion: GV, kind: 'ClusterIngressClassParameters', metadata: { name: 'outage-cp' }, spec: { timeouts: { request } } });

const versionsOf = (fleet: string): string => JSON.stringify(operator.mode.server.fleets().find((f) => f.fleet === fleet)?.versions ?? null);

beforeAll(async () => {
  bed = await startTestbed('outage');
  ns = bed.namespace;
  applier = new ServerSideApplier(bed.admin, 'portico-e2e');
  for (const crd of manifestObjects(kustomizationResources(`${REPO_ROOT}/crds`))) {
    await applier.apply({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: crd.metadata, spec: crd['spec'] });
  }
  // The CRDs serve a moment after they are created.
  await eventually('the CRDs to serve', async () => {
    try {
      await applier.apply(params('30s'));
      await applier.apply(clusterParams('30s'));
      return true;
    } catch {
      applier.refresh();
      return false;
    }
  }, 30_000);
  for (const name of ['web', 'eps']) await applier.apply(service(name));
  // Service `late` has no port 80 yet: Ingress svc, which names port 80, has a problem (a Warning Event).
  await applier.apply(service('late', 81));
  await applier.apply(slice('late', '10.1.0.4'));
  await applier.apply(slice('web', '10.1.0.1'));
  await applier.apply(slice('eps', '10.1.0.2'));
  await applier.apply(ingressClass('k-ingress'));
  await applier.apply(ingressClass('k-service'));
  await applier.apply(ingressClass('k-endpoints'));
  await applier.apply(ingressClass('k-secret'));
  await applier.apply(ingressClass('k-params', { kind: 'IngressClassParameters', scope: 'Namespace', namespace: ns, name: 'pp' }));
  await applier.apply(ingressClass('k-cparams', { kind: 'ClusterIngressClassParameters', scope: 'Cluster', name: 'outage-cp' }));
  await applier.apply(ingress('ing', 'k-ingress', ['ing.example.com'], 'web'));
  await applier.apply(ingress('svc', 'k-service', ['svc.example.com'], 'late'));
  await applier.apply(ingress('eps', 'k-endpoints', ['eps.example.com'], 'eps'));
  await applier.apply(ingress('tls', 'k-secret', ['tls.example.com'], 'web', { secretName: 'cert' }));
  await applier.apply(ingress('pp', 'k-params', ['pp.example.com'], 'web'));
  await applier.apply(ingress('cp', 'k-cparams', ['cp.example.com'], 'web'));
  operator = await startOperator(bed, 'outage', { leaderElection: false, statusAddress: { kind: 'fixed', addresses: ['192.0.2.1'] } });
  stopLater.push(() => operator.stop());
  await eventually('every fleet published', () => ['k-ingress', 'k-service', 'k-endpoints', 'k-secret', 'k-params', 'k-cparams'].every((f) => versionsOf(f) !== 'null'), 30_000);
}, 180_000);

afterAll(async () => {
  for (const stop of stopLater.reverse()) await stop().catch(() => undefined);
  await bed?.stop();
});

describe('failure and recovery', () => {
  it('after 20 s without an API server, a change of every watched kind reaches its fleet within 2 s of the server being back', async () => {
    const ca = await createTestCa();
    const leaf = await ca.leaf(['tls.example.com']);
    const before = new Map(['k-ingress', 'k-service', 'k-endpoints', 'k-secret', 'k-params', 'k-cparams', 'k-class'].map((f) => [f, versionsOf(f)] as const));
    const downAt = Date.now();
    await bed.plane.restartApiServer(DOWN_MS);
    const backAt = Date.now();
    report(`API server down at ${new Date(downAt).toISOString()}, ready again after ${backAt - downAt} ms`);

    // Each change is made as soon as the server is ready, all at once, and timed from when the
    // API server accepted it to when the operator published the fleet it changes.
    const changes: Array<[fleet: string, kind: string, change: () => Promise<unknown>]> = [
      ['k-ingress', 'Ingress', () => applier.apply(ingress('ing', 'k-ingress', ['ing.example.com', 'ing2.example.com'], 'web'))],
      ['k-service', 'Service', () => applier.apply(service('late', 80))],
      ['k-endpoints', 'EndpointSlice', () => applier.apply(slice('eps', '10.1.0.3'))],
      ['k-secret', 'Secret', () => bed.core.createNamespacedSecret({ namespace: ns, body: tlsSecretObject(ns, 'cert', leaf) })],
      ['k-class', 'IngressClass', () => applier.apply(ingressClass('k-class'))],
      ['k-params', 'IngressClassParameters', () => applier.apply(params('31s'))],
      ['k-cparams', 'ClusterIngressClassParameters', () => applier.apply(clusterParams('31s'))],
    ];
    const results = await Promise.all(
      changes.map(async ([fleet, kind, change]) => {
        // A request the warming server refuses is the test's problem, not the operator's: retry.
        await eventually(`the ${kind} change to be accepted`, async () => {
          try {
            await change();
            return true;
          } catch (error) {
            applier.refresh();
            throw error;
          }
        }, 20_000);
        const acceptedAt = Date.now();
        const published = await eventually(`fleet ${fleet} to be published after the ${kind} change`, () => versionsOf(fleet) !== before.get(fleet), 20_000).then(
          () => true,
          () => false,
        );
        return { kind, fleet, afterChangeMs: published ? Date.now() - acceptedAt : Infinity, afterBackMs: Date.now() - backAt };
      }),
    );
    for (const r of results) report(`${r.kind}: published ${r.afterChangeMs} ms after the change (${r.afterBackMs} ms after the API server was ready)`);
    for (const r of results) expect(r.afterChangeMs, r.kind).toBeLessThan(5_000);

    // While the restarted server loaded its CRDs, the parameters never went missing: no class was
    // held, so no Warning about missing parameters.
    const held = operator.logs.filter((l) => l.event === 'config.applied' && Array.isArray(l['held']) && (l['held'] as unknown[]).length > 0 && Date.parse(String(l['time'])) >= downAt);
    expect(held).toEqual([]);
    const retries = operator.logs.filter((l) => l.event === 'watch failed; retrying' && Date.parse(String(l['time'])) >= downAt);
    const longest = Math.max(0, ...retries.map((l) => Number(l['retryInMs'] ?? 0)));
    report(`${retries.length} watch retries during the outage, the longest wait ${longest} ms`);
    expect(longest).toBeLessThanOrEqual(1_000);
  }, 90_000);

  it('writes status with the field manager portico, and Events with reportingController and reportingInstance', async () => {
    const status = await eventually('the status of Ingress ing', async () => {
      const read = await bed.networking.readNamespacedIngress({ namespace: ns, name: 'ing' });
      return (read.status?.loadBalancer?.ingress ?? []).length > 0 ? read : undefined;
    });
    const managers = (status.metadata?.managedFields ?? []).filter((f) => f.subresource === 'status').map((f) => f.manager);
    expect(managers).toEqual(['portico']);
    // The Warning about Service `late` (written before the outage), as events.k8s.io shows it.
    const events = await eventually('the Event on Ingress svc', async () => {
      const list = (await bed.admin.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns })).items.filter((e) => e.regarding?.name === 'svc');
      return list.length > 0 ? list : undefined;
    });
    const warning = events.find((e) => e.type === 'Warning');
    expect(warning).toMatchObject({ reportingController: 'portico-controller', reportingInstance: expect.stringMatching(/.+/) });
    expect(warning?.reportingInstance).toBe(process.env['POD_NAME'] || (await import('node:os')).hostname());
    expect((warning?.metadata?.managedFields ?? []).map((f) => f.manager)).toContain('portico');
  }, 30_000);

  it('never says resolved on an Ingress whose class is held: its problem is unseen, not gone', async () => {
    // Events of a cluster-scoped IngressClass are in namespace default.
    const eventsOf = async (name: string, namespace = ns): Promise<string[]> =>
      (await bed.core.listNamespacedEvent({ namespace })).items.filter((e) => e.involvedObject.name === name).map((e) => `${e.type}/${e.reason}/${e.count}`).sort();
    await applier.apply(ingress('held', 'k-params', ['held.example.com'], 'nowhere'));
    await eventually('a Warning Event on Ingress held', async () => (await eventsOf('held')).includes('Warning/ConfigurationError/1'));
    // The parameters go: class k-params is held (a Warning on the IngressClass) and not translated.
    await requestJson(bed.admin, 'DELETE', `/apis/${GV}/namespaces/${ns}/ingressclassparameters/pp`, AbortSignal.timeout(10_000));
    await eventually('a Warning Event on IngressClass k-params', async () => (await eventsOf('k-params', 'default')).some((e) => e.startsWith('Warning/')));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await eventsOf('held')).toEqual(['Warning/ConfigurationError/1']);
    // Back, with the Ingress's problem still there: the class's problem is resolved, the Ingress's
    // is neither resolved nor reported again.
    await applier.apply(params('31s'));
    await eventually('a Normal Event on IngressClass k-params', async () => (await eventsOf('k-params', 'default')).some((e) => e.startsWith('Normal/')));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await eventsOf('held')).toEqual(['Warning/ConfigurationError/1']);
  }, 60_000);

  it('a leader killed without releasing its Lease is replaced within the lease duration plus a retry period (default settings)', async () => {
    const election = { namespace: OPERATOR_NAMESPACE, name: 'outage-leader' };
    // The leader reaches the API server through a relay: closing the relay is the kill -9 (no
    // request of it gets through any more, so it cannot release), then it is stopped.
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(bed.plane.server).port));
    stopLater.push(() => proxy.close());
    const a = await startOperator(bed, 'leader-a', { leaderElection: { ...election, identity: 'leader-a' }, kubeconfig: bed.operatorKubeconfigVia('leader-a', proxy.port) });
    stopLater.push(() => a.stop());
    await eventually('leader-a to lead', () => a.mode.isLeader(), 20_000);
    const b = await startOperator(bed, 'leader-b', { leaderElection: { ...election, identity: 'leader-b' } });
    stopLater.push(() => b.stop());
    // Let leader-b watch a few renewals first, as a standing follower would have.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(b.mode.isLeader()).toBe(false);

    await proxy.close();
    const killedAt = Date.now();
    await a.stop();
    await eventually('leader-b to lead', () => b.mode.isLeader(), 30_000);
    const tookMs = Date.now() - killedAt;
    report(`leader takeover after a kill: ${tookMs} ms (lease 15 s, renew deadline 10 s, retry period 2 s)`);
    // At most the lease duration after the last renewal plus a retry period and a request.
    expect(tookMs).toBeLessThan(15_000 + 2_000 + 3_000);
    const holder = (await bed.admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: 'outage-leader' })).spec?.holderIdentity;
    expect(holder).toBe('leader-b');
  }, 90_000);
});
