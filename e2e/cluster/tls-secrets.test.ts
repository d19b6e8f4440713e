// TLS Secrets on a real API server: the operator (in-process, under its least-privilege
// ServiceAccount, so config/rbac's list/watch on secrets is what lets it read them) serves a TLS
// Ingress's certificate to its fleet as an SDS Secret beside the https Listener. A rotation (the
// Secret updated with a new certificate, as cert-manager does) reaches Delta and SotW clients as a
// new Secret version alone: the Listener, which only names the Secret, is not sent again. Secrets
// of other types (Opaque, Helm's release Secrets) are filtered out by the API server's field
// selector: an Ingress naming one is told the Secret was not found (its host's plain HTTP still
// redirects to HTTPS: the class has no default certificate, so HTTPS fails closed), and is told so
// no more once a kubernetes.io/tls Secret takes its place. Certificates are made at run time; private keys are
// never printed (failures show fingerprints).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event, V1Ingress } from '@kubernetes/client-node';
import { RawAdsClient } from '../../xds-server/src/test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../../xds-server/src/test-support/raw-ads-client.js';
import { RawDeltaClient } from '../../xds-server/src/test-support/raw-delta-client.js';
import type { DeltaReceivedResponse } from '../../xds-server/src/test-support/raw-delta-client.js';
import { typeUrlOf } from '../../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../../xds-server/src/protos/envoy-protos.js';
import { createTestCa, fingerprint, hasInlineKey, servedCertificateChain, tlsSecretObject } from '../support/tls-secrets.js';
import type { KeyPair, TestCa } from '../support/tls-secrets.js';
import { endpointSlice, eventually, ingressClass, rule, service, startOperator, startTestbed } from './testbed.js';
import type { Operator, Testbed } from './testbed.js';

const FLEET = 'tls-edge';
const HOST = 'shop.example.com';
const OPAQUE_HOST = 'opaque.example.com';
const HELM_HOST = 'helm.example.com';
const HELM_SECRET = 'sh.helm.release.v1.shop.v1';

let bed: Testbed;
let ns: string;
let operator: Operator;
let ca: TestCa;
let delta: DeltaRecorder;
let sotw: SotwRecorder;
const secretName = (name: string): string => `${ns}/${name}`;

/** What a client got of one resource: the version (Delta: per resource; SotW: the response's) and the object. */
interface Seen {
  at: number;
  version: string;
  object: Record<string, unknown>;
}

/**
 * A Delta client that acts like Envoy: wildcard CDS and LDS, named RDS and SDS, every response
 * ACKed at once. It keeps every resource it was sent, per type, in arrival order.
 */
class DeltaRecorder {
  readonly client: RawDeltaClient;
  readonly received = new Map<string, Array<Seen & { name: string }>>();
  readonly removed: string[] = [];
  /** When the last response of any type came. */
  lastAt = 0;
  private closed = false;

  constructor(address: string, secrets: string[]) {
    this.client = new RawDeltaClient(address, { id: 'tls-secrets-delta', cluster: FLEET });
    this.client.subscribe('cluster');
    this.client.subscribe('listener');
    this.client.subscribe('routeConfiguration', ['http', 'https']);
    this.client.subscribe('secret', secrets);
    void this.pump();
  }

  of(kind: ResourceKind, name?: string): Array<Seen & { name: string }> {
    return (this.received.get(typeUrlOf(kind)) ?? []).filter((r) => name === undefined || r.name === name);
  }

  latest(kind: ResourceKind, name: string): (Seen & { name: string }) | undefined {
    return this.of(kind, name).at(-1);
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }

  private async pump(): Promise<void> {
    while (!this.closed) {
      let response: DeltaReceivedResponse;
      try {
        response = await this.client.next(undefined, 120_000);
      } catch {
        return;
      }
      this.lastAt = Date.now();
      const list = this.received.get(response.typeUrl) ?? [];
      for (const r of response.resources) list.push({ at: Date.now(), name: r.name, version: r.version, object: r.object });
      this.received.set(response.typeUrl, list);
      this.removed.push(...response.removed);
      this.client.ack(response);
    }
  }
}

/** The same over state of the world: each response's version_info, nonce and resources, ACKed with the subscription. */
class SotwRecorder {
  readonly client: RawAdsClient;
  readonly responses = new Map<string, Array<{ at: number; response: ReceivedResponse }>>();
  /** When the last response of any type came. */
  lastAt = 0;
  private readonly names = new Map<string, string[]>();
  private closed = false;

  constructor(address: string, secrets: string[]) {
    this.client = new RawAdsClient(address, { id: 'tls-secrets-sotw', cluster: FLEET });
    this.watch('cluster', []);
    this.watch('listener', []);
    this.watch('routeConfiguration', ['http', 'https']);
    this.watch('secret', secrets);
    void this.pump();
  }

  of(kind: ResourceKind): ReceivedResponse[] {
    return (this.responses.get(typeUrlOf(kind)) ?? []).map((r) => r.response);
  }

  /** The last object named `name` in any response of this type. */
  latest(kind: ResourceKind, name: string): (Seen & { nonce: string }) | undefined {
    const found = (this.responses.get(typeUrlOf(kind)) ?? []).flatMap(({ at, response }) =>
      response.resources.filter((r) => r.name === name).map((r) => ({ at, version: response.versionInfo, nonce: response.nonce, object: r.object })),
    );
    return found.at(-1);
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }

  private watch(kind: ResourceKind, names: string[]): void {
    this.names.set(typeUrlOf(kind), names);
    this.client.subscribe(kind, names);
  }

  private async pump(): Promise<void> {
    while (!this.closed) {
      let response: ReceivedResponse;
      try {
        response = await this.client.next(undefined, 120_000);
      } catch {
        return;
      }
      this.lastAt = Date.now();
      const list = this.responses.get(response.typeUrl) ?? [];
      list.push({ at: Date.now(), response });
      this.responses.set(response.typeUrl, list);
      this.client.ack(response, this.names.get(response.typeUrl) ?? []);
    }
  }
}

const eventsFor = async (name: string): Promise<CoreV1Event[]> =>
  (await bed.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items;

function tlsIngress(name: string, host: string, secret: string): V1Ingress {
  return {
    metadata: { name, namespace: ns },
    spec: { ingressClassName: FLEET, tls: [{ hosts: [host], secretName: secret }], rules: [rule(host, 'web')] },
  };
}

/** The SDS names the https Listener's filter chains reference, with their server names. */
function sniChains(listener: Record<string, unknown> | undefined): Record<string, string[]> {
  type Chain = {
    filter_chain_match?: { server_names?: string[] };
    transport_socket?: { typed_config?: { common_tls_context?: { tls_certificate_sds_secret_configs?: Array<{ name?: string }> } } };
  };
  const chains = (listener?.['filter_chains'] ?? []) as Chain[];
  return Object.fromEntries(
    chains.map((c) => [c.transport_socket?.typed_config?.common_tls_context?.tls_certificate_sds_secret_configs?.[0]?.name ?? '', c.filter_chain_match?.server_names ?? []]),
  );
}

let first: KeyPair;
let second: KeyPair;

beforeAll(async () => {
  bed = await startTestbed('tls-secrets');
  ns = bed.namespace;
  ca = await createTestCa();
  [first, second] = await Promise.all([ca.leaf([HOST]), ca.leaf([HOST])]);
  // Leader election off: this single replica writes Events, like the Lease holder would.
  operator = await startOperator(bed, 'tls-secrets');
  await bed.networking.createIngressClass({ body: ingressClass(FLEET) });
  await bed.core.createNamespacedService({ namespace: ns, body: service(ns, 'web') });
  await bed.discovery.createNamespacedEndpointSlice({ namespace: ns, body: endpointSlice(ns, 'web', ['192.0.2.20']) });
  // The xDS port takes mutual TLS only: like routing.test.ts, the clients dial the testbed's
  // loopback tunnel, which presents the client certificate the operator issued for the fleet.
  delta = new DeltaRecorder(operator.xdsAddressFor(FLEET), [secretName('shop-tls')]);
  sotw = new SotwRecorder(operator.xdsAddressFor(FLEET), [secretName('shop-tls')]);
}, 120_000);

afterAll(async () => {
  delta?.close();
  sotw?.close();
  await operator?.stop();
  await bed?.stop();
});

afterEach(() => {
  // A 403 anywhere means config/rbac lacks a permission the operator uses (here: secrets).
  expect(operator?.forbidden() ?? []).toEqual([]);
});

describe('kubernetes.io/tls Secrets through a real API server', () => {
  it('serves a TLS Ingress: the https Listener with an SNI chain naming the SDS Secret, and the Secret with its certificate', async () => {
    await bed.core.createNamespacedSecret({ namespace: ns, body: tlsSecretObject(ns, 'shop-tls', first) });
    await bed.networking.createNamespacedIngress({ namespace: ns, body: tlsIngress('shop', HOST, 'shop-tls') });

    const want = fingerprint(first.cert);
    const sds = await eventually('the Delta client to receive the SDS Secret', () => {
      const latest = delta.latest('secret', secretName('shop-tls'));
      return latest && fingerprint(servedCertificateChain(latest.object)) === want ? latest : undefined;
    });
    expect(servedCertificateChain(sds.object)?.trim()).toBe(first.cert.trim());
    expect(hasInlineKey(sds.object)).toBe(true);
    const listener = await eventually('the Delta client to receive the https Listener', () => delta.latest('listener', 'https'));
    expect(sniChains(listener.object)).toEqual({ [secretName('shop-tls')]: [HOST] });

    const sotwSecret = await eventually('the SotW client to receive the SDS Secret', () => sotw.latest('secret', secretName('shop-tls')));
    expect(fingerprint(servedCertificateChain(sotwSecret.object))).toBe(want);
    const sotwListener = await eventually('the SotW client to receive the https Listener', () => sotw.latest('listener', 'https'));
    expect(sniChains(sotwListener.object)).toEqual({ [secretName('shop-tls')]: [HOST] });
    expect(operator.mode.server.fleets().find((f) => f.fleet === FLEET)?.resources.secret).toBe(1);
  });

  it('rotates the certificate: a new Secret version reaches both clients, and the Listener is not sent again', async () => {
    // The Secret and the Ingress of the test before are watched apart, and an Ingress seen first
    // is published at once, without its certificate (decision 0016): the routes of the publish
    // that follows may still be on their way. Only what comes after a quiet second counts.
    await eventually('the clients to have had no response for a second', () => Date.now() - Math.max(delta.lastAt, sotw.lastAt) >= 1_000, 20_000);
    const fleetBefore = operator.mode.server.fleets().find((f) => f.fleet === FLEET);
    const deltaSecretBefore = delta.latest('secret', secretName('shop-tls'));
    const deltaListenersBefore = delta.of('listener').length;
    const deltaListenerVersion = delta.latest('listener', 'https')?.version;
    const sotwListenersBefore = sotw.of('listener').length;
    const sotwListenerVersion = sotw.of('listener').at(-1)?.versionInfo;
    const sotwSecretBefore = sotw.latest('secret', secretName('shop-tls'));
    expect(deltaListenerVersion).toBeTruthy();
    expect(fingerprint(second.cert)).not.toBe(fingerprint(first.cert));

    const rotatedAt = Date.now();
    await bed.core.replaceNamespacedSecret({ namespace: ns, name: 'shop-tls', body: tlsSecretObject(ns, 'shop-tls', second) });

    const want = fingerprint(second.cert);
    const rotated = await eventually('the Delta client to receive the new certificate', () => {
      const latest = delta.latest('secret', secretName('shop-tls'));
      return latest && fingerprint(servedCertificateChain(latest.object)) === want ? latest : undefined;
    });
    expect(rotated.version).not.toBe(deltaSecretBefore?.version);
    const sotwRotated = await eventually('the SotW client to receive the new certificate', () => {
      const latest = sotw.latest('secret', secretName('shop-tls'));
      return latest && fingerprint(servedCertificateChain(latest.object)) === want ? latest : undefined;
    });
    expect(sotwRotated.version).not.toBe(sotwSecretBefore?.version);
    expect(sotwRotated.nonce).not.toBe(sotwSecretBefore?.nonce);
    // Listener and route updates wait at most clusterAckWaitMs behind a Cluster update; this
    // rotation changes no Cluster, so anything still to come would have come within a second.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(delta.of('listener').length).toBe(deltaListenersBefore);
    expect(delta.latest('listener', 'https')?.version).toBe(deltaListenerVersion);
    expect(sotw.of('listener').length).toBe(sotwListenersBefore);
    // Nor any other type: the rotation was one SDS response per client.
    for (const kind of ['cluster', 'clusterLoadAssignment', 'routeConfiguration'] as const) {
      expect(delta.of(kind).filter((r) => r.at >= rotatedAt).map((r) => r.name), `Delta ${kind}`).toEqual([]);
      expect((sotw.responses.get(typeUrlOf(kind)) ?? []).filter((r) => r.at >= rotatedAt).length, `SotW ${kind}`).toBe(0);
    }
    const fleetAfter = operator.mode.server.fleets().find((f) => f.fleet === FLEET);
    expect(fleetAfter?.versions.listener).toBe(fleetBefore?.versions.listener);
    expect(fleetAfter?.versions.routeConfiguration).toBe(fleetBefore?.versions.routeConfiguration);
    expect(fleetAfter?.versions.secret).not.toBe(fleetBefore?.versions.secret);
    expect(sotw.of('listener').at(-1)?.versionInfo).toBe(sotwListenerVersion);
  });

  it('never sees Opaque or Helm release Secrets: their Ingresses are told the Secret was not found, until a kubernetes.io/tls one replaces it', async () => {
    const opaquePair = await ca.leaf([OPAQUE_HOST]);
    // Valid certificate material in the wrong type: the operator would say "has type Opaque" if
    // it read it; "was not found" proves the API server never handed it over.
    await bed.core.createNamespacedSecret({ namespace: ns, body: tlsSecretObject(ns, 'opaque-tls', opaquePair, 'Opaque') });
    await bed.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: HELM_SECRET, namespace: ns, labels: { owner: 'helm', name: 'shop', status: 'deployed', version: '1' } }, type: 'helm.sh/release.v1', data: { release: Buffer.from('H4sIAAAAAAAA/wMAAAAAAAAAAAA=').toString('base64') } },
    });
    await bed.networking.createNamespacedIngress({ namespace: ns, body: tlsIngress('opaque', OPAQUE_HOST, 'opaque-tls') });
    await bed.networking.createNamespacedIngress({ namespace: ns, body: tlsIngress('helm', HELM_HOST, HELM_SECRET) });
    delta.client.subscribe('secret', [secretName('opaque-tls'), secretName(HELM_SECRET)]);

    for (const [ingress, secret, host] of [['opaque', 'opaque-tls', OPAQUE_HOST], ['helm', HELM_SECRET, HELM_HOST]] as const) {
      const warning = await eventually(`a Warning Event on Ingress ${ingress}`, async () => (await eventsFor(ingress)).find((e) => e.type === 'Warning'));
      expect(warning.reason).toBe('ConfigurationWarning');
      expect(warning.message).toBe(
        `spec.tls[0].secretName: Secret ${secretName(secret)} was not found as a kubernetes.io/tls Secret with tls.crt and tls.key (it does not exist, or it has another type, such as Opaque: Portico watches no other Secrets); the class has no default certificate, so plain-HTTP requests for ${host} are redirected to HTTPS, which fails until the Secret is fixed (set nginx.ingress.kubernetes.io/ssl-redirect: "false" on this Ingress to serve it over plain HTTP meanwhile)`,
      );
    }
    // Both asked for TLS: plain HTTP to them is redirected to HTTPS (which fails, below), never served in the clear.
    type HttpTable = { virtual_hosts?: Array<{ domains?: string[]; routes?: Array<{ redirect?: { https_redirect?: boolean } }> }> };
    await eventually('plain HTTP to both hosts redirected to HTTPS', () => {
      const table = delta.latest('routeConfiguration', 'http')?.object as HttpTable | undefined;
      return [OPAQUE_HOST, HELM_HOST].every((host) => table?.virtual_hosts?.find((v) => v.domains?.includes(host))?.routes?.[0]?.redirect?.https_redirect === true);
    });
    // Neither is served: the Delta client is told both names do not exist, and no SNI chain names them.
    await eventually('both names in removed_resources', () => delta.removed.includes(secretName('opaque-tls')) && delta.removed.includes(secretName(HELM_SECRET)));
    // (Counts, not objects: a Secret object holds a private key, which must never be printed.)
    expect(delta.of('secret', secretName('opaque-tls')).length).toBe(0);
    expect(delta.of('secret', secretName(HELM_SECRET)).length).toBe(0);
    expect(Object.keys(sniChains(delta.latest('listener', 'https')?.object))).toEqual([secretName('shop-tls')]);
    expect(operator.mode.server.fleets().find((f) => f.fleet === FLEET)?.resources.secret).toBe(1);

    // A Secret's type is immutable: fixing it means replacing it.
    await bed.core.deleteNamespacedSecret({ namespace: ns, name: 'opaque-tls' });
    await bed.core.createNamespacedSecret({ namespace: ns, body: tlsSecretObject(ns, 'opaque-tls', opaquePair) });
    const valid = await eventually('a Normal Event on Ingress opaque once fixed', async () => (await eventsFor('opaque')).find((e) => e.type === 'Normal'), 20_000);
    expect(valid.reason).toBe('ConfigurationValid');
    const served = await eventually('the fixed Secret to be served', () => delta.latest('secret', secretName('opaque-tls')));
    expect(fingerprint(servedCertificateChain(served.object))).toBe(fingerprint(opaquePair.cert));
    await eventually('an SNI chain for the fixed host', () => sniChains(delta.latest('listener', 'https')?.object)[secretName('opaque-tls')]?.includes(OPAQUE_HOST));
    // The Helm Ingress still has its problem (and only the one Warning: reported once).
    expect((await eventsFor('helm')).map((e) => `${e.type}/${e.reason}/${e.count}`)).toEqual(['Warning/ConfigurationWarning/1']);
  });
});
