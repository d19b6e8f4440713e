// What the operator writes back to the cluster, against a real API server: with two replicas on
// one Lease, only the leader writes Ingress status (each replica is given its own status address,
// so the address written tells who wrote it) and Events; an Ingress of another controller's class
// is never written to, never reported on, and never served; problems become Warning Events that
// name the field, and a Normal Event once fixed; when the leader stops, or is cut off from the
// API server without a chance to release its Lease, another replica takes over within the lease
// time. The tests run in order on one set of replicas: each leaves the state the next starts from.
import { URL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Ingress } from '@kubernetes/client-node';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { createBackendNetwork } from '../support/netns.js';
import type { BackendNetwork, NetnsBackend } from '../support/netns.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import type { TcpProxy } from '../support/tcp-proxy.js';
import { xdsClient } from '../support/xds-clients.js';
import type { XdsTestClient } from '../support/xds-clients.js';
import {
  BACKEND_PORT,
  OPERATOR_NAMESPACE,
  endpointSlice,
  eventually,
  ingressClass,
  isError,
  rule,
  sample,
  service,
  startOperator,
  startTestbed,
  untilSteady,
} from './testbed.js';
import type { Operator, OperatorOptions, Testbed } from './testbed.js';

const FLEET = 'nginx';
const FOREIGN_CLASS = 'other-lb';
const LEASE_SECONDS = 3;
const lease = (identity: string): OperatorOptions['leaderElection'] => ({
  namespace: OPERATOR_NAMESPACE,
  name: 'portico-leader',
  identity,
  leaseDurationSeconds: LEASE_SECONDS,
  renewDeadlineMs: 2_000,
  retryPeriodMs: 250,
});
const ADDRESS: Record<string, string> = { 'replica-a': '192.0.2.7', 'replica-b': '192.0.2.8', 'replica-c': '192.0.2.9', 'replica-d': '192.0.2.10' };

let bed: Testbed;
let ns: string;
let net: BackendNetwork;
let backend: NetnsBackend;
const replicas = new Map<string, Operator>();
const clients: XdsTestClient[] = [];
const proxies: TcpProxy[] = [];

async function startReplica(identity: string, kubeconfig?: string): Promise<Operator> {
  const replica = await startOperator(bed, identity, {
    leaderElection: lease(identity),
    statusAddress: { kind: 'fixed', addresses: [ADDRESS[identity] ?? ''] },
    ...(kubeconfig ? { kubeconfig } : {}),
  });
  replicas.set(identity, replica);
  return replica;
}

function client(replica: Operator, target: string, fleet = FLEET): XdsTestClient {
  const made = xdsClient({ nodeId: `${replica.name}-${target}-${fleet}`, target, fleet, xdsAddress: replica.xdsAddressFor(fleet) });
  clients.push(made);
  return made;
}

const leaders = (): string[] => [...replicas.values()].filter((r) => r.mode.isLeader()).map((r) => r.name);
const readIngress = (name: string): Promise<V1Ingress> => bed.networking.readNamespacedIngress({ namespace: ns, name });
const statusOf = async (name: string): Promise<string[]> => ((await readIngress(name)).status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
const eventsFor = async (name: string): Promise<CoreV1Event[]> =>
  (await bed.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items;
const holder = async (): Promise<string | undefined> =>
  (await bed.admin.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: 'portico-leader' })).spec?.holderIdentity;

beforeAll(async () => {
  bed = await startTestbed('status');
  ns = bed.namespace;
  net = await createBackendNetwork({ addresses: 1 });
  backend = await net.startBackend('AAAAAA', net.addresses[0] ?? '', BACKEND_PORT);
  await bed.networking.createIngressClass({ body: ingressClass('nginx') });
  await bed.networking.createIngressClass({ body: ingressClass(FOREIGN_CLASS, 'example.com/other-controller') });
  await bed.core.createNamespacedService({ namespace: ns, body: service(ns, 'web') });
  await bed.discovery.createNamespacedEndpointSlice({ namespace: ns, body: endpointSlice(ns, 'web', [backend.address]) });
  await bed.networking.createNamespacedIngress({
    namespace: ns,
    body: { metadata: { name: 'ours', namespace: ns }, spec: { ingressClassName: 'nginx', rules: [rule('ours.example.com', 'web')] } },
  });
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.client.close();
  for (const replica of replicas.values()) await replica.stop();
  for (const proxy of proxies) await proxy.close();
  await net?.destroy();
  await bed?.stop();
});

afterEach(() => {
  // A 403 anywhere means config/rbac lacks a permission the operator uses.
  for (const replica of replicas.values()) expect(replica.forbidden(), replica.name).toEqual([]);
});

describe('cluster mode: leader election, status and Events on a real API server', () => {
  it('elects exactly one of two replicas; every replica serves xDS, only the leader writes status', async () => {
    // A starts first so that it is the leader; B joins once A leads.
    const a = await startReplica('replica-a');
    await eventually('replica-a to lead', () => a.mode.isLeader());
    const b = await startReplica('replica-b');
    expect(await holder()).toBe('replica-a');
    await eventually('the leader\'s address in status', async () => (await statusOf('ours')).join() === ADDRESS['replica-a']);

    // Both serve the same routes.
    await untilSteady(client(a, 'ours.example.com'), (x) => x === 'AAAAAA', 'answer AAAAAA from replica-a');
    await untilSteady(client(b, 'ours.example.com'), (x) => x === 'AAAAAA', 'answer AAAAAA from replica-b');

    // Give both replicas reasons to reconcile (each edit is a watch event for both), and watch:
    // one leader throughout, and the status never shows the follower's address.
    for (let i = 0; i < 10; i++) {
      await bed.networking.patchNamespacedIngress({ namespace: ns, name: 'ours', body: [{ op: 'add', path: '/metadata/annotations', value: { 'e2e/touch': String(i) } }] });
      for (let j = 0; j < 2; j++) {
        expect(leaders()).toEqual(['replica-a']);
        expect(await statusOf('ours')).toEqual([ADDRESS['replica-a']]);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(b.mode.isLeader()).toBe(false);
    expect(b.logs.filter((l) => l.event === 'status.written')).toEqual([]);
    expect(a.logs.filter((l) => l.event === 'status.written').length).toBeGreaterThan(0);
    // The follower says, once, who leads and what that means (a second install with the default
    // Lease name would otherwise wait silently for ever).
    expect(b.logs.filter((l) => l.event === 'following leader')).toEqual([expect.objectContaining({ holder: 'replica-a', identity: 'replica-b', hint: expect.stringContaining('--leader-election-name') })]);
    expect(a.logs.filter((l) => l.event === 'following leader')).toEqual([]);
  });

  it('never touches an Ingress of another controller\'s class: no status, no Event, not served', async () => {
    const foreign = await bed.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: 'foreign', namespace: ns },
        // One servable rule (Service web exists) and one that would be an error (no such Service).
        spec: { ingressClassName: FOREIGN_CLASS, rules: [rule('foreign.example.com', 'web'), rule('foreign-broken.example.com', 'nowhere')] },
      },
    });
    // A sync point: an edit of ours made after the foreign Ingress was created. Events of one
    // watch arrive in order, so once both replicas serve it, both have seen the foreign one too.
    await bed.networking.patchNamespacedIngress({ namespace: ns, name: 'ours', body: [{ op: 'add', path: '/spec/rules/-', value: rule('sync.example.com', 'web') }] });
    for (const replica of replicas.values()) await untilSteady(client(replica, 'sync.example.com'), (x) => x === 'AAAAAA', `answer AAAAAA from ${replica.name}`);
    // A reconcile publishes first, then (leader only) writes status and Events: give those writes
    // a moment to land, were there any.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const now = await readIngress('foreign');
    expect(now.metadata?.resourceVersion).toBe(foreign.metadata?.resourceVersion);
    expect(now.status?.loadBalancer?.ingress ?? []).toEqual([]);
    expect(await eventsFor('foreign')).toEqual([]);
    expect(await eventsFor(FOREIGN_CLASS)).toEqual([]);
    for (const replica of replicas.values()) {
      expect(replica.mode.fleets()).toEqual([{ fleet: FLEET, ingressClass: 'nginx' }]);
      expect(replica.mode.server.fleets().map((f) => f.fleet)).toEqual([FLEET]);
      expect(replica.mode.server.fleets()[0]?.grpcTargets.filter((t) => t.startsWith('foreign'))).toEqual([]);
    }
    // Not served in our fleet, and there is no fleet for the foreign class: every call fails (the
    // foreign rule's backend is reachable, so a served route would answer). In parallel, since
    // calls waiting for a configuration that never comes last their whole deadline.
    const probes = [...replicas.values()].flatMap((replica) => [client(replica, 'foreign.example.com'), client(replica, 'foreign.example.com', FOREIGN_CLASS)]);
    const answers = await Promise.all(probes.map((probe) => sample(probe, 4)));
    for (const got of answers) expect(got.filter((x) => !isError(x))).toEqual([]);
    // Not even a diagnostic about it: the operator ignores other classes entirely.
    for (const replica of replicas.values()) expect(replica.logs.filter((l) => JSON.stringify(l).includes(`${ns}/foreign`))).toEqual([]);
  });

  it('reports a missing Service as a Warning Event naming the field, and a Normal Event once fixed', async () => {
    const broken = await bed.networking.createNamespacedIngress({
      namespace: ns,
      body: { metadata: { name: 'broken', namespace: ns }, spec: { ingressClassName: 'nginx', rules: [rule('broken.example.com', 'late')] } },
    });
    const warning = await eventually('a Warning Event on the Ingress', async () => (await eventsFor('broken')).find((e) => e.type === 'Warning'));
    expect(warning).toMatchObject({
      reason: 'ConfigurationError',
      involvedObject: { kind: 'Ingress', name: 'broken', namespace: ns, uid: broken.metadata?.uid },
      source: { component: 'portico-controller' },
    });
    expect(warning.message).toContain('spec.rules[0].http.paths[0].backend.service.name');
    expect(warning.message).toContain(`Service ${ns}/late not found`);
    // The broken route is served (as 503s), so clients fail rather than fall through elsewhere.
    const brokenClient = client(replicas.get('replica-a') as Operator, 'broken.example.com');
    await untilSteady(brokenClient, isError, 'fail while the Service is missing');

    await bed.core.createNamespacedService({ namespace: ns, body: service(ns, 'late') });
    await bed.discovery.createNamespacedEndpointSlice({ namespace: ns, body: endpointSlice(ns, 'late', [backend.address]) });
    const valid = await eventually('a Normal Event once fixed', async () => (await eventsFor('broken')).find((e) => e.type === 'Normal'));
    expect(valid).toMatchObject({ reason: 'ConfigurationValid', involvedObject: { uid: broken.metadata?.uid } });
    await untilSteady(brokenClient, (x) => x === 'AAAAAA', 'answer AAAAAA once the Service exists');

    // Both replicas saw both states; only the leader wrote: each Event exists once, counted once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await eventsFor('broken')).map((e) => `${e.type}/${e.reason}/${e.count}`).sort()).toEqual(['Normal/ConfigurationValid/1', 'Warning/ConfigurationError/1']);
    expect(await statusOf('broken')).toEqual([ADDRESS['replica-a']]);
  });

  it('says a fixed error is resolved (Normal ConfigurationErrorsResolved) while a warning of the same Ingress remains', async () => {
    await bed.networking.createNamespacedIngress({
      namespace: ns,
      body: {
        metadata: { name: 'mixed', namespace: ns, annotations: { 'nginx.ingress.kubernetes.io/no-such-annotation': 'x' } },
        spec: { ingressClassName: 'nginx', rules: [rule('mixed.example.com', 'later')] },
      },
    });
    await eventually('the error and the warning on Ingress mixed', async () => {
      const reasons = (await eventsFor('mixed')).map((e) => e.reason);
      return reasons.includes('ConfigurationError') && reasons.includes('ConfigurationWarning');
    });
    await bed.core.createNamespacedService({ namespace: ns, body: service(ns, 'later') });
    await bed.discovery.createNamespacedEndpointSlice({ namespace: ns, body: endpointSlice(ns, 'later', [backend.address]) });
    const resolved = await eventually('a Normal Event once the error is fixed', async () => (await eventsFor('mixed')).find((e) => e.type === 'Normal'));
    expect(resolved).toMatchObject({ reason: 'ConfigurationErrorsResolved', message: 'all errors reported earlier are resolved; the warnings still reported remain' });
    // Later rounds (the leader's periodic recheck included) say nothing more: no flapping.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await eventsFor('mixed')).map((e) => `${e.type}/${e.reason}/${e.count}`).sort()).toEqual(['Normal/ConfigurationErrorsResolved/1', 'Warning/ConfigurationError/1', 'Warning/ConfigurationWarning/1']);
  });

  it('hands over when the leader stops: the other replica leads within the lease time and writes its address', async () => {
    const a = replicas.get('replica-a') as Operator;
    const b = replicas.get('replica-b') as Operator;
    const stoppedAt = Date.now();
    await a.stop();
    replicas.delete('replica-a');
    await eventually('replica-b to lead', () => b.mode.isLeader(), LEASE_SECONDS * 1_000 + 1_000);
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_SECONDS * 1_000 + 1_000);
    expect(await holder()).toBe('replica-b');
    for (const name of ['ours', 'broken']) {
      await eventually(`replica-b's address in the status of ${name}`, async () => (await statusOf(name)).join() === ADDRESS['replica-b']);
    }
    expect((await readIngress('foreign')).status?.loadBalancer?.ingress ?? []).toEqual([]);
  });

  it('takes over from a leader cut off from the API server (no release) within the lease time, never with two leaders', async () => {
    // replica-c reaches the API server through a relay the test can silence: its connections
    // stay open but nothing passes (half-open), so it can neither renew nor release the Lease,
    // and no request of it fails fast. It becomes leader when replica-b stops; replica-d waits.
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(bed.plane.server).port));
    proxies.push(proxy);
    const c = await startReplica('replica-c', bed.operatorKubeconfigVia('replica-c', proxy.port));
    const b = replicas.get('replica-b') as Operator;
    await b.stop();
    replicas.delete('replica-b');
    await eventually('replica-c to lead', () => c.mode.isLeader(), LEASE_SECONDS * 1_000 + 1_000);
    const d = await startReplica('replica-d');
    await eventually('replica-c\'s address in status', async () => (await statusOf('ours')).join() === ADDRESS['replica-c']);

    proxy.blackhole();
    const cutAt = Date.now();
    let overlap = false;
    await eventually('replica-d to lead', () => {
      if (c.mode.isLeader() && d.mode.isLeader()) overlap = true;
      return d.mode.isLeader();
    }, LEASE_SECONDS * 1_000 + 3_000);
    const tookMs = Date.now() - cutAt;
    // replica-c gave up at its renew deadline (2 s, even with its request still hanging) before
    // replica-d could take the Lease (unrenewed for 3 s): never two leaders.
    expect(overlap).toBe(false);
    expect(c.mode.isLeader()).toBe(false);
    // The lease duration, plus a retry period of replica-d and a request (the Lease was renewed
    // at most a retry period before the cut).
    expect(tookMs).toBeLessThan(LEASE_SECONDS * 1_000 + 1_000);
    expect(await holder()).toBe('replica-d');
    await eventually('replica-d\'s address in status', async () => (await statusOf('ours')).join() === ADDRESS['replica-d']);
    // Cut off, replica-c still serves xDS from what it last saw.
    await untilSteady(client(c, 'ours.example.com'), (x) => x === 'AAAAAA', 'answer AAAAAA from the cut-off replica');
  }, 30_000);
});
