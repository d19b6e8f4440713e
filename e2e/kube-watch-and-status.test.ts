// The operator's Kubernetes-facing parts against a real kube-apiserver + etcd: the reflector-based
// cluster source (list, watch, deletes, API server restart), Lease leader election (takeover when
// the leader stops), the Ingress status writer, and Events from diagnostics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { LeaseElection } from '../operator/src/leader/lease-election.js';
import { ClusterSource } from '../operator/src/sources/kubernetes/cluster-source.js';
import { emptyClusterState } from '../operator/src/store/cluster-state.js';
import { EventRecorder } from '../operator/src/status/event-recorder.js';
import { writeIngressStatus } from '../operator/src/status/ingress-status-writer.js';
import { startControlPlane } from './harness/control-plane.js';
import type { ControlPlane } from './harness/control-plane.js';

const NS = 'watch-e2e';
const quiet = { info: () => {}, warn: () => {} };

let plane: ControlPlane;
let kc: KubeConfig;

beforeAll(async () => {
  plane = await startControlPlane();
  kc = plane.kubeConfig();
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
}, 180_000);

afterAll(async () => {
  await plane?.stop();
});

function ingressBody(name: string, host: string) {
  return {
    metadata: { name, namespace: NS },
    spec: {
      ingressClassName: 'portico',
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    },
  };
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('ClusterSource', () => {
  it('lists, follows adds, updates and deletes, and recovers from an API server restart', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    await networking.createNamespacedIngress({ namespace: NS, body: ingressBody('before-start', 'a.example.com') });
    let changes = 0;
    const source = new ClusterSource({ kc, log: quiet, onChange: () => changes++, watchTimeoutSeconds: 30 });
    source.start();
    try {
      await eventually(() => source.hasSynced, 'the first list of every kind');
      expect(source.snapshot().ingresses.map((i) => i.metadata?.name)).toEqual(['before-start']);
      expect(source.snapshot().ingresses[0]?.metadata?.creationTimestamp).toBeInstanceOf(Date);

      await networking.createNamespacedIngress({ namespace: NS, body: ingressBody('added', 'b.example.com') });
      await eventually(() => source.snapshot().ingresses.length === 2, 'the added Ingress');

      await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
        namespace: NS,
        body: { metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: ['10.3.0.1'] }] },
      });
      await eventually(() => source.snapshot().endpointSlices.length === 1, 'the EndpointSlice');

      await networking.deleteNamespacedIngress({ namespace: NS, name: 'before-start' });
      await eventually(() => source.snapshot().ingresses.map((i) => i.metadata?.name).join() === 'added', 'the deletion');

      await plane.restartApiServer();
      // Changes made right after the restart must arrive through the resumed (or re-listed) watch.
      await networking.createNamespacedIngress({ namespace: NS, body: ingressBody('after-restart', 'c.example.com') });
      await networking.deleteNamespacedIngress({ namespace: NS, name: 'added' });
      await eventually(() => source.snapshot().ingresses.map((i) => i.metadata?.name).join() === 'after-restart', 'convergence after the restart', 60_000);
      expect(changes).toBeGreaterThan(4);
    } finally {
      await source.stop();
    }
  }, 120_000);
});

describe('LeaseElection', () => {
  it('elects one leader, and another replica takes over within the lease time when it stops', async () => {
    const leaders = new Set<string>();
    const make = (identity: string): LeaseElection =>
      new LeaseElection({
        kc,
        namespace: NS,
        name: 'portico-leader',
        identity,
        leaseDurationSeconds: 3,
        renewDeadlineMs: 2_000,
        retryPeriodMs: 250,
        log: quiet,
        onStartedLeading: () => leaders.add(identity),
        onStoppedLeading: () => leaders.delete(identity),
      });
    const first = make('replica-1');
    first.start();
    await eventually(() => first.isLeader, 'replica-1 to lead');
    const second = make('replica-2');
    second.start();
    await new Promise((r) => setTimeout(r, 1_500));
    expect([...leaders]).toEqual(['replica-1']);
    expect(second.isLeader).toBe(false);

    const stoppedAt = Date.now();
    await first.stop();
    await eventually(() => second.isLeader, 'replica-2 to take over', 10_000);
    expect(Date.now() - stoppedAt).toBeLessThan(3_000 + 1_000);
    expect([...leaders]).toEqual(['replica-2']);
    await second.stop();
  }, 60_000);
});

describe('status and Events', () => {
  it('writes load-balancer addresses to our Ingresses only, and only when they differ', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    await networking.createNamespacedIngress({ namespace: NS, body: ingressBody('status-target', 's.example.com') });
    const ours = await networking.readNamespacedIngress({ namespace: NS, name: 'status-target' });
    const first = await writeIngressStatus(kc, [ours], [{ ip: '192.0.2.10' }], AbortSignal.timeout(10_000));
    expect(first).toEqual({ written: [`${NS}/status-target`], failed: [] });
    const reread = await networking.readNamespacedIngress({ namespace: NS, name: 'status-target' });
    expect(reread.status?.loadBalancer?.ingress).toEqual([{ ip: '192.0.2.10' }]);
    const second = await writeIngressStatus(kc, [reread], [{ ip: '192.0.2.10' }], AbortSignal.timeout(10_000));
    expect(second.written).toEqual([]);
  });

  it('records a Warning Event per problem, once, and a Normal Event when the problems are gone', async () => {
    const networking = kc.makeApiClient(NetworkingV1Api);
    const created = await networking.createNamespacedIngress({ namespace: NS, body: ingressBody('eventful', 'e.example.com') });
    const state = { ...emptyClusterState(), ingresses: [created] };
    const recorder = new EventRecorder(kc, quiet);
    const problem = { object: `Ingress ${NS}/eventful`, severity: 'error' as const, message: 'spec.rules[0].http.paths[0].backend.service.name: Service watch-e2e/web not found' };
    await recorder.sync([problem], state, AbortSignal.timeout(10_000));
    await recorder.sync([problem], state, AbortSignal.timeout(10_000));
    const core = kc.makeApiClient(CoreV1Api);
    const events = async () => (await core.listNamespacedEvent({ namespace: NS, fieldSelector: 'involvedObject.name=eventful' })).items;
    expect((await events()).map((e) => [e.type, e.reason, e.message, e.count, e.involvedObject.uid])).toEqual([
      ['Warning', 'ConfigurationError', problem.message, 1, created.metadata?.uid],
    ]);
    // A new leader (fresh recorder) re-reporting the same problem raises the count, no duplicate.
    await new EventRecorder(kc, quiet).sync([problem], state, AbortSignal.timeout(10_000));
    expect((await events()).map((e) => e.count)).toEqual([2]);

    await recorder.sync([], state, AbortSignal.timeout(10_000));
    const types = (await events()).map((e) => `${e.type}/${e.reason}`).sort();
    expect(types).toEqual(['Normal/ConfigurationValid', 'Warning/ConfigurationError']);
  });
});


