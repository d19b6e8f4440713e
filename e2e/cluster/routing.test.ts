// Cluster mode end to end, through real traffic: the seed scenario applied to a real API server,
// the operator (in-process, under its least-privilege ServiceAccount) translating it, and
// grpc-js-xds clients (gRPC's own proxyless xDS implementation) routing calls to backends that
// live in a network namespace behind a veth pair, because EndpointSlices refuse loopback
// addresses. Every step is an API write; the clients must follow it without reconnecting, and
// after an API server restart the served configuration must equal a fresh translation.
import { URL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { Reflector } from '../../operator/src/sources/kubernetes/reflector.js';
import { createBackendNetwork } from '../support/netns.js';
import type { BackendNetwork, NetnsBackend } from '../support/netns.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { xdsClient } from '../support/xds-clients.js';
import type { XdsTestClient } from '../support/xds-clients.js';
import {
  BACKEND_PORT,
  OPERATOR_NAMESPACE,
  applySeedScenario,
  eventually,
  isError,
  rule,
  sample,
  service,
  startOperator,
  startTestbed,
  untilSteady,
} from './testbed.js';
import type { Operator, Testbed } from './testbed.js';

const FLEET = 'nginx';
const SEED = 'name-virtual-host-ingress';
const LEASE = { namespace: OPERATOR_NAMESPACE, name: 'portico-routing', leaseDurationSeconds: 4, renewDeadlineMs: 3_000, retryPeriodMs: 500 };

let bed: Testbed;
let ns: string;
let net: BackendNetwork;
let backends: Record<'A' | 'B' | 'C' | 'D', NetnsBackend>;
let operator: Operator;
let clients: Record<'nginx1' | 'nginx2' | 'other' | 'nginx3' | 'nginx3AnyHost' | 'nginx4', XdsTestClient>;

beforeAll(async () => {
  bed = await startTestbed('routing');
  ns = bed.namespace;
  net = await createBackendNetwork({ addresses: 4 });
  const [a, b, c, d] = net.addresses as [string, string, string, string];
  const [A, B, C, D] = await Promise.all([
    net.startBackend('AAAAAA', a, BACKEND_PORT),
    net.startBackend('BBBBBB', b, BACKEND_PORT),
    net.startBackend('CCCCCC', c, BACKEND_PORT),
    net.startBackend('DDDDDD', d, BACKEND_PORT),
  ]);
  backends = { A, B, C, D };
  // The operator starts on an empty cluster: everything it serves later arrives through watches.
  operator = await startOperator(bed, 'routing', { leaderElection: LEASE, statusAddress: { kind: 'fixed', addresses: ['192.0.2.7'] } });
  const client = (name: keyof typeof clients, target: string, anyHost = false): XdsTestClient =>
    xdsClient({ nodeId: `routing-${name}`, target, fleet: FLEET, xdsAddress: operator.xdsAddressFor(FLEET), anyHost });
  clients = {
    nginx1: client('nginx1', 'nginx1.example.com'),
    nginx2: client('nginx2', 'nginx2.example.com'),
    // Hosts without a rule resolve through the any-host listener, like Envoy's catch-all `*`.
    other: client('other', 'other.example.com', true),
    nginx3: client('nginx3', 'nginx3.example.com'),
    nginx3AnyHost: client('nginx3AnyHost', 'nginx3.example.com', true),
    nginx4: client('nginx4', 'nginx4.example.com'),
  };
}, 120_000);

afterAll(async () => {
  for (const c of Object.values(clients ?? {})) c.client.close();
  await operator?.stop();
  await net?.destroy();
  await bed?.stop();
});

afterEach(() => {
  // A 403 anywhere means config/rbac lacks a permission the operator uses.
  expect(operator?.forbidden() ?? []).toEqual([]);
});

const patchIngress = (name: string, patch: object[]) => bed.networking.patchNamespacedIngress({ namespace: ns, name, body: patch });
const setBackend = (ruleIndex: number, serviceName: string) =>
  patchIngress(SEED, [{ op: 'replace', path: `/spec/rules/${ruleIndex}/http/paths/0/backend/service/name`, value: serviceName }]);
const setEndpoints = (serviceName: string, addresses: string[]) =>
  bed.discovery.patchNamespacedEndpointSlice({
    namespace: ns,
    name: `${serviceName}-e2e`,
    body: [{ op: 'replace', path: '/endpoints', value: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })) }],
  });

describe('cluster mode: the seed scenario through a real API server, routed by grpc-js-xds clients', () => {
  it('routes nginx1.example.com → AAAAAA, nginx2.example.com → BBBBBB, any other host → AAAAAA, across the veth', async () => {
    expect(operator.mode.fleets()).toEqual([]);
    await applySeedScenario(bed, { nginx1: [backends.A.address], nginx2: [backends.B.address] });

    const before = net.hostTraffic();
    await untilSteady(clients.nginx1, (a) => a === 'AAAAAA', 'answer AAAAAA', 15_000);
    await untilSteady(clients.nginx2, (a) => a === 'BBBBBB', 'answer BBBBBB', 15_000);
    await untilSteady(clients.other, (a) => a === 'AAAAAA', 'answer AAAAAA (default backend)', 15_000);
    // The answers came over the veth (10.X.Y.Z), not loopback.
    const after = net.hostTraffic();
    expect(after.txBytes).toBeGreaterThan(before.txBytes);
    expect(after.rxBytes).toBeGreaterThan(before.rxBytes);

    expect(operator.mode.fleets()).toEqual([{ fleet: FLEET, ingressClass: 'nginx' }]);
    const [summary] = operator.mode.server.fleets();
    expect(summary?.grpcTargets).toEqual(expect.arrayContaining(['nginx1.example.com', 'nginx2.example.com']));
    // As Lease holder, the operator also wrote the status address.
    await eventually('the status address', async () => {
      const ingress = await bed.networking.readNamespacedIngress({ namespace: ns, name: SEED });
      return ingress.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.7';
    });
  });

  it('follows an Ingress update: nginx1.example.com pointed at nginx2 and back', async () => {
    await setBackend(0, 'nginx2');
    await untilSteady(clients.nginx1, (a) => a === 'BBBBBB', 'answer BBBBBB after the update');
    expect(await sample(clients.nginx2, 5)).toEqual(Array(5).fill('BBBBBB'));
    expect(await sample(clients.other, 5)).toEqual(Array(5).fill('AAAAAA'));
    await setBackend(0, 'nginx1');
    await untilSteady(clients.nginx1, (a) => a === 'AAAAAA', 'answer AAAAAA again');
  });

  it('follows endpoint scaling: a third address gets traffic, a removed one never again', async () => {
    await setEndpoints('nginx1', [backends.A.address, backends.C.address]);
    // Round robin over both: the new backend answers too.
    await eventually('both AAAAAA and CCCCCC to answer nginx1.example.com', async () => {
      const answers = new Set(await sample(clients.nginx1, 10));
      return answers.has('AAAAAA') && answers.has('CCCCCC');
    });

    await setEndpoints('nginx1', [backends.C.address]);
    await untilSteady(clients.nginx1, (a) => a === 'CCCCCC', 'answer only CCCCCC', 10_000, 10);
    // Once the client has the new endpoints, the removed backend gets no call at all.
    expect(new Set(await sample(clients.nginx1, 50))).toEqual(new Set(['CCCCCC']));

    await setEndpoints('nginx1', [backends.A.address]);
    await untilSteady(clients.nginx1, (a) => a === 'AAAAAA', 'answer AAAAAA again');
  });

  it('follows an Ingress deletion: its host and routes are gone', async () => {
    // This Ingress shares no host with another and has no default backend: its creation and
    // deletion are translated incrementally (operator/src/incremental), not the whole cluster.
    const incremental = async (): Promise<number> => {
      const metrics = await (await fetch(`http://127.0.0.1:${operator.mode.healthPort}/metrics`)).text();
      return Number(/portico_translations_total\{path="incremental",reason=""\} (\d+)/.exec(metrics)?.[1] ?? 0);
    };
    const before = await incremental();
    await bed.networking.createNamespacedIngress({
      namespace: ns,
      body: { metadata: { name: 'extra', namespace: ns }, spec: { ingressClassName: 'nginx', rules: [rule('nginx3.example.com', 'nginx2')] } },
    });
    await untilSteady(clients.nginx3, (a) => a === 'BBBBBB', 'answer BBBBBB through the extra Ingress');
    await untilSteady(clients.nginx3AnyHost, (a) => a === 'BBBBBB', 'answer BBBBBB through the extra Ingress');

    await bed.networking.deleteNamespacedIngress({ namespace: ns, name: 'extra' });
    // Dialed by name, the host no longer exists: no listener, so the client cannot reach BBBBBB.
    await untilSteady(clients.nginx3, isError, 'fail once its Ingress is deleted');
    expect((await sample(clients.nginx3, 5)).every(isError)).toBe(true);
    // Through the catch-all, the host now falls to the seed Ingress's default backend.
    await untilSteady(clients.nginx3AnyHost, (a) => a === 'AAAAAA', 'fall back to the default backend');
    expect(operator.mode.server.fleets()[0]?.grpcTargets).not.toContain('nginx3.example.com');
    // The other hosts were not disturbed.
    expect(await sample(clients.nginx2, 5)).toEqual(Array(5).fill('BBBBBB'));
    expect(await incremental()).toBeGreaterThanOrEqual(before + 2);
  });

  it('follows a Service deletion: routes to it fail until it is back', async () => {
    await bed.core.deleteNamespacedService({ namespace: ns, name: 'nginx2' });
    await untilSteady(clients.nginx2, isError, 'fail once its Service is deleted');
    expect(await sample(clients.nginx1, 5)).toEqual(Array(5).fill('AAAAAA'));

    await bed.core.createNamespacedService({ namespace: ns, body: service(ns, 'nginx2') });
    await untilSteady(clients.nginx2, (a) => a === 'BBBBBB', 'answer BBBBBB once the Service is back');
  });

  it('converges after an API server restart, with changes made right after it, and keeps no stale routes', async () => {
    await bed.networking.createNamespacedIngress({
      namespace: ns,
      body: { metadata: { name: 'stale', namespace: ns }, spec: { ingressClassName: 'nginx', rules: [rule('nginx4.example.com', 'nginx2')] } },
    });
    await untilSteady(clients.nginx4, (a) => a === 'BBBBBB', 'answer BBBBBB before the restart');
    const logsBefore = operator.logs.length;

    await bed.restartApiServer();
    // Right after: a deletion, an Ingress edit and an endpoint change, all while the operator's
    // watches are still reconnecting (or relisting).
    await bed.networking.deleteNamespacedIngress({ namespace: ns, name: 'stale' });
    await setBackend(1, 'nginx1');
    await setEndpoints('nginx1', [backends.D.address]);

    await untilSteady(clients.nginx1, (a) => a === 'DDDDDD', 'answer DDDDDD after the restart', 30_000);
    await untilSteady(clients.nginx2, (a) => a === 'DDDDDD', 'answer DDDDDD (nginx2.example.com → nginx1) after the restart', 30_000);
    await untilSteady(clients.nginx4, isError, 'fail: its Ingress was deleted after the restart', 30_000);
    expect(await sample(clients.other, 5)).toEqual(Array(5).fill('DDDDDD'));
    // The restart really cut the operator's watches (otherwise this test proves nothing).
    expect(operator.logs.slice(logsBefore).some((l) => l.event === 'watch failed; retrying' || l.event === 'watch expired; relisting')).toBe(true);

    // No stale state: a replica started now, from a fresh list, serves byte-identical resources
    // (versions are content hashes). It joins the same Lease, so it never writes anything.
    const fresh = await startOperator(bed, 'routing-fresh', { leaderElection: LEASE });
    try {
      await eventually('identical configuration in the recovered and the fresh replica', () => {
        const recovered = JSON.stringify(operator.mode.server.fleets());
        return recovered === JSON.stringify(fresh.mode.server.fleets()) ? recovered : undefined;
      });
      expect(fresh.forbidden()).toEqual([]);
      expect(fresh.mode.isLeader()).toBe(false);
    } finally {
      await fresh.stop();
    }
  }, 90_000);
});

describe('the watch layer on a half-open connection', () => {
  it('gives up a list that never answers and lists again', async () => {
    // The watch has an idle timer; a list needs a timeout of its own, or a connection that went
    // silent mid-list would stall this kind for good.
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(bed.plane.server).port));
    const kc = new KubeConfig();
    kc.loadFromFile(bed.operatorKubeconfigVia('half-open', proxy.port));
    const reflector = new Reflector({
      kc,
      resource: { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
      onChange: () => undefined,
      log: { info: () => undefined, warn: () => undefined },
      listTimeoutMs: 1_000,
    });
    try {
      proxy.blackhole();
      reflector.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(reflector.hasSynced).toBe(false);
      proxy.restore();
      await eventually('the list to be retried on a fresh connection', () => reflector.hasSynced, 10_000);
      expect(reflector.list<{ metadata?: { name?: string } }>().map((i) => i.metadata?.name).sort()).toEqual([SEED]);
    } finally {
      await reflector.stop();
      await proxy.close();
    }
  });
});
