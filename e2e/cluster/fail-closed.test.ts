// Never fail open, on a real API server: an Ingress carrying access-control annotations Portico
// does not honour (docs/annotations.md "Never fail open") is applied with server-side apply (what
// `kubectl apply --server-side` does) beside an ordinary one, and the operator (in-process, under
// its least-privilege ServiceAccount) serves it. What real xDS clients of the fleet receive over
// mutual TLS is checked: the guarded host's routes answer 503 from Envoy (direct_response) and no
// route anywhere points at its backend, the open host forwards, and the guarded Ingress gets a
// Warning Event naming the annotations. A second class, whose IngressClassParameters say
// annotationFamilies.unhonouredAccessControl: Warn, serves the same Ingress (forwarding) with a
// Warning Event saying it is unprotected.
//
// The guarded Ingress carries enable-modsecurity and auth-tls-verify-client/auth-tls-secret, which
// Portico does not honour. (Not auth-url: Portico honours it for in-cluster auth services, and one
// it cannot call closes the Ingress even under Warn, which the Warn case here does not test.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event, V1IngressBackend, V1Ingress } from '@kubernetes/client-node';
import { RawAdsClient } from '../../xds-server/src/test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../../xds-server/src/test-support/raw-ads-client.js';
import { typeUrlOf } from '../../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../../xds-server/src/protos/envoy-protos.js';
import type { RouteConfiguration, VirtualHost } from '../../xds-server/src/resources.js';
import { simulateRequest } from '../../operator/src/test-support/route-simulator.js';
import { kustomizationResources, manifestObjects } from '../support/kustomization.js';
import { REPO_ROOT } from '../support/portico-process.js';
import { ServerSideApplier } from '../support/server-side-apply.js';
import type { ManifestObject } from '../support/server-side-apply.js';
import { BACKEND_PORT, CONTROLLER, eventually, startOperator, startTestbed } from './testbed.js';
import type { Operator, Testbed } from './testbed.js';

const GV = 'portico.dev/v1alpha1';
const NGINX = 'nginx.ingress.kubernetes.io/';
/** Class (and fleet) with the default policy: such Ingresses are refused. */
const REFUSING = 'fail-closed';
/** Class (and fleet) whose parameters relax it to a warning. */
const RELAXED = 'fail-closed-warn';
const GUARDED_HOST = 'guarded.example';
const OPEN_HOST = 'open.example';
/** Annotations Portico will keep not honouring: the test stands on these. */
const STAYS_UNHONOURED = [`${NGINX}auth-tls-secret`, `${NGINX}auth-tls-verify-client`, `${NGINX}enable-modsecurity`];

let bed: Testbed;
let ns: string;
let applier: ServerSideApplier;
let operator: Operator;
let refusing: SotwRecorder;
let relaxed: SotwRecorder;
let grpcView: SotwRecorder;

/**
 * A state-of-the-world ADS client: subscribes as given (wildcard LDS/CDS and RDS `http` act as
 * Envoy does; named listeners as a proxyless gRPC client does), ACKs every response at once, and
 * keeps every response it was sent, per type.
 */
class SotwRecorder {
  readonly client: RawAdsClient;
  private readonly responses = new Map<string, ReceivedResponse[]>();
  private readonly names = new Map<string, string[]>();
  private closed = false;

  constructor(address: string, nodeId: string, fleet: string, subscriptions: Array<[ResourceKind, string[]]>) {
    this.client = new RawAdsClient(address, { id: nodeId, cluster: fleet });
    for (const [kind, names] of subscriptions) {
      this.names.set(typeUrlOf(kind), names);
      this.client.subscribe(kind, names);
    }
    void this.pump();
  }

  /** Every RouteConfiguration named `name` received, oldest first. */
  routeConfigurations(name: string): RouteConfiguration[] {
    return (this.responses.get(typeUrlOf('routeConfiguration')) ?? []).flatMap((response) =>
      response.resources.filter((r) => r.name === name).map((r) => r.object as RouteConfiguration),
    );
  }

  latestRouteConfiguration(name: string): RouteConfiguration | undefined {
    return this.routeConfigurations(name).at(-1);
  }

  /** The names of the latest response of this type (SotW: LDS and CDS responses hold every resource). */
  latestNames(kind: ResourceKind): string[] {
    return (this.responses.get(typeUrlOf(kind))?.at(-1)?.resources ?? []).map((r) => r.name);
  }

  close(): void {
    this.closed = true;
    this.client.close();
  }

  private async pump(): Promise<void> {
    while (!this.closed) {
      let response: ReceivedResponse;
      try {
        response = await this.client.next(undefined, 120_000);
      } catch {
        return;
      }
      this.responses.set(response.typeUrl, [...(this.responses.get(response.typeUrl) ?? []), response]);
      this.client.ack(response, this.names.get(response.typeUrl) ?? []);
    }
  }
}

const clusterName = (service: string): string => `${ns}/${service}/80`;

const virtualHost = (table: RouteConfiguration | undefined, host: string): VirtualHost | undefined =>
  table?.virtual_hosts?.find((v) => (v.domains ?? []).includes(host));

/** Every cluster any route of the table forwards to. */
const forwardedClusters = (table: RouteConfiguration | undefined): string[] =>
  (table?.virtual_hosts ?? []).flatMap((v) => (v.routes ?? []).flatMap((r) => (r.route?.cluster ? [r.route.cluster] : [])));

/** The refusing fleet's Envoy route table once it has both hosts. */
const refusingTable = (): Promise<RouteConfiguration> =>
  eventually('the route table with both hosts', () => {
    const latest = refusing.latestRouteConfiguration('http');
    return virtualHost(latest, GUARDED_HOST) && virtualHost(latest, OPEN_HOST) ? latest : undefined;
  });

const eventsOf = async (name: string): Promise<CoreV1Event[]> =>
  (await bed.core.listNamespacedEvent({ namespace: ns, fieldSelector: `involvedObject.name=${name}` })).items;

const service = (name: string): ManifestObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { ports: [{ name: 'http', port: 80, targetPort: BACKEND_PORT }] } });

const slice = (serviceName: string, address: string): ManifestObject => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${serviceName}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: BACKEND_PORT, protocol: 'TCP' }],
  endpoints: [{ addresses: [address], conditions: { ready: true } }],
} as ManifestObject);

const backend = (name: string): V1IngressBackend => ({ service: { name, port: { number: 80 } } });

/**
 * The guarded Ingress: a WAF and client-certificate authentication (and an external auth URL)
 * that Portico does not enforce, on guarded.example and as the class's default backend.
 */
function guardedIngress(name: string, className: string): ManifestObject {
  const ingress: V1Ingress & ManifestObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      namespace: ns,
      annotations: {
        [`${NGINX}enable-modsecurity`]: 'true',
        [`${NGINX}auth-tls-verify-client`]: 'on',
        [`${NGINX}auth-tls-secret`]: `${ns}/client-ca`,
      },
    },
    spec: {
      ingressClassName: className,
      defaultBackend: backend('guarded-web'),
      rules: [{ host: GUARDED_HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('guarded-web') }] } }],
    },
  };
  return ingress;
}

function openIngress(): ManifestObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'open', namespace: ns },
    spec: { ingressClassName: REFUSING, rules: [{ host: OPEN_HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('open-web') }] } }] },
  };
}

beforeAll(async () => {
  bed = await startTestbed('fail-closed');
  ns = bed.namespace;
  applier = new ServerSideApplier(bed.admin, 'portico-e2e');
  for (const crd of manifestObjects(kustomizationResources(`${REPO_ROOT}/crds`))) {
    await applier.apply({ apiVersion: crd.apiVersion, kind: crd.kind, metadata: crd.metadata, spec: crd['spec'] });
  }
  const parameters: ManifestObject = { apiVersion: GV, kind: 'IngressClassParameters', metadata: { name: 'warn-only', namespace: ns }, spec: { annotationFamilies: { unhonouredAccessControl: 'Warn' } } };
  // The CRDs serve a moment after they are created.
  await eventually('the CRDs to serve', async () => {
    try {
      await applier.apply(parameters);
      return true;
    } catch {
      applier.refresh();
      return false;
    }
  }, 30_000);
  await applier.apply({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: REFUSING }, spec: { controller: CONTROLLER } });
  await applier.apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: RELAXED },
    spec: { controller: CONTROLLER, parameters: { apiGroup: 'portico.dev', kind: 'IngressClassParameters', scope: 'Namespace', namespace: ns, name: 'warn-only' } },
  });
  for (const [name, address] of [['guarded-web', '192.0.2.31'], ['open-web', '192.0.2.32']] as const) {
    await applier.apply(service(name));
    await applier.apply(slice(name, address));
  }
  // Leader election off: this single replica writes Events, as the Lease holder would.
  operator = await startOperator(bed, 'fail-closed', { leaderElection: false });
  // Clients connect before any Ingress exists: everything they are sent comes through watches,
  // so "never received a table forwarding guarded.example" covers every version ever served.
  const envoyLike: Array<[ResourceKind, string[]]> = [['listener', []], ['cluster', []], ['routeConfiguration', ['http']]];
  refusing = new SotwRecorder(operator.xdsAddressFor(REFUSING), 'fail-closed-envoy', REFUSING, envoyLike);
  relaxed = new SotwRecorder(operator.xdsAddressFor(RELAXED), 'fail-closed-warn-envoy', RELAXED, envoyLike);
  // What a proxyless gRPC client dialing xds:///guarded.example asks for.
  grpcView = new SotwRecorder(operator.xdsAddressFor(REFUSING), 'fail-closed-grpc', REFUSING, [['listener', [GUARDED_HOST]], ['routeConfiguration', [`grpc:${GUARDED_HOST}`]]]);
  await applier.apply(guardedIngress('guarded', REFUSING));
  await applier.apply(openIngress());
  await applier.apply(guardedIngress('guarded-warn', RELAXED));
}, 120_000);

afterAll(async () => {
  for (const recorder of [refusing, relaxed, grpcView]) recorder?.close();
  await operator?.stop();
  await bed?.stop();
});

afterEach(() => {
  // A 403 anywhere means config/rbac lacks a permission the operator uses.
  expect(operator?.forbidden() ?? []).toEqual([]);
});

describe('never fail open, through a real API server and real xDS clients', () => {
  it('serves the guarded host only 503s (direct_response), no route points at its backend, and the open host forwards to its cluster', async () => {
    const table = await refusingTable();
    const guardedRoutes = virtualHost(table, GUARDED_HOST)?.routes ?? [];
    expect(guardedRoutes.length).toBeGreaterThan(0);
    for (const route of guardedRoutes) {
      expect(route.direct_response?.status, route.name).toBe(503);
      expect(route.route, route.name).toBeUndefined();
      expect(route.redirect, route.name).toBeUndefined();
    }
    // Its default backend (the catch-all host) is closed the same way.
    const catchAll = virtualHost(table, '*')?.routes ?? [];
    expect(catchAll.length).toBeGreaterThan(0);
    for (const route of catchAll) expect(route.direct_response?.status, route.name).toBe(503);

    const openRoutes = virtualHost(table, OPEN_HOST)?.routes ?? [];
    expect(openRoutes.map((r) => r.route?.cluster)).toEqual([clusterName('open-web')]);
    await eventually('the open host\'s cluster in CDS', () => refusing.latestNames('cluster').includes(clusterName('open-web')));

    // No table this client was ever sent routed anything to the guarded backend: not even for a
    // moment while the Ingresses arrived.
    const everyTable = refusing.routeConfigurations('http');
    expect(everyTable.length).toBeGreaterThan(0);
    for (const received of everyTable) expect(forwardedClusters(received)).not.toContain(clusterName('guarded-web'));
  });

  it('a request to a host guarded by an unhonoured auth annotation never reaches the backend', async () => {
    // No Envoy binary runs here: the received RouteConfiguration is evaluated with the repo's
    // model of Envoy's routing (operator/src/test-support/route-simulator.ts). Sending the request
    // through a real Envoy is the ENVOY_BIN suite's part (e2e/envoy.test.ts, `make test-envoy`),
    // which does not run this scenario yet.
    const table = await refusingTable();
    for (const [authority, path] of [[GUARDED_HOST, '/'], [GUARDED_HOST, '/admin/users?id=1'], ['GUARDED.example:80', '//'], ['unknown.example', '/']] as const) {
      expect(simulateRequest(table, authority, path), `${authority}${path}`).toEqual({ status: 'direct', virtualHost: expect.any(String), code: 503 });
    }
    expect(simulateRequest(table, OPEN_HOST, '/')).toMatchObject({ status: 'routed', cluster: clusterName('open-web') });

    // A proxyless gRPC client of guarded.example gets the host with no route at all (gRPC cannot
    // answer 503 itself, so the gRPC view leaves direct responses out): its calls fail, and it
    // does not fall through to another virtual host either.
    const grpcTable = await eventually('the gRPC route table of guarded.example', () => grpcView.latestRouteConfiguration(`grpc:${GUARDED_HOST}`));
    expect(grpcTable.virtual_hosts?.map((v) => ({ domains: v.domains, routes: v.routes ?? [] }))).toEqual([{ domains: [GUARDED_HOST], routes: [] }]);
    expect(grpcView.latestNames('listener')).toEqual([GUARDED_HOST]);
  });

  it('writes a Warning Event on the guarded Ingress naming the annotations it does not honour, and none on the open one', async () => {
    const refused = await eventually('a ConfigurationError Event on Ingress guarded', async () =>
      (await eventsOf('guarded')).find((e) => e.type === 'Warning' && e.reason === 'ConfigurationError' && /access control/.test(e.message ?? '')),
    );
    for (const annotation of STAYS_UNHONOURED) expect(refused.message).toContain(annotation);
    expect(refused.message).toMatch(/^metadata\.annotations: .* Portico does not honour; rather than serve this Ingress unprotected, its routes answer 503 /);
    expect(refused.involvedObject.kind).toBe('Ingress');
    // That the gRPC view leaves its 503s out is info (docs/proxyless-grpc.md): logged, and no Event says it.
    await eventually('the gRPC view\'s info in the log', () =>
      operator.logs.some((l) => l.level === 'info' && JSON.stringify(l).includes(`Ingress ${ns}/guarded`) && /left out for proxyless gRPC clients: gRPC does not support direct responses/.test(JSON.stringify(l))),
    );
    expect((await eventsOf('guarded')).filter((e) => /proxyless gRPC/.test(e.message ?? ''))).toEqual([]);
    expect((await eventsOf('open')).filter((e) => e.type === 'Warning')).toEqual([]);
  });

  it('serves the same Ingress, forwarding, where the class\'s parameters say unhonouredAccessControl: Warn, with a Warning Event saying it is unprotected', async () => {
    const table = await eventually('the relaxed fleet\'s route table with guarded.example', () => {
      const latest = relaxed.latestRouteConfiguration('http');
      return virtualHost(latest, GUARDED_HOST) ? latest : undefined;
    });
    expect(virtualHost(table, GUARDED_HOST)?.routes?.map((r) => r.route?.cluster)).toEqual([clusterName('guarded-web')]);
    expect(simulateRequest(table, GUARDED_HOST, '/')).toMatchObject({ status: 'routed', cluster: clusterName('guarded-web') });
    expect(simulateRequest(table, 'unknown.example', '/')).toMatchObject({ status: 'routed', cluster: clusterName('guarded-web') });
    await eventually('the guarded backend\'s cluster in the relaxed fleet\'s CDS', () => relaxed.latestNames('cluster').includes(clusterName('guarded-web')));

    const warned = await eventually('a ConfigurationWarning Event on Ingress guarded-warn', async () =>
      (await eventsOf('guarded-warn')).find((e) => e.type === 'Warning' && e.reason === 'ConfigurationWarning' && /access control/.test(e.message ?? '')),
    );
    for (const annotation of STAYS_UNHONOURED) expect(warned.message).toContain(annotation);
    expect(warned.message).toMatch(/this Ingress is served WITHOUT them, because its class's parameters say annotationFamilies\.unhonouredAccessControl: Warn$/);
    // Relaxed means served, not refused: no error on it.
    expect((await eventsOf('guarded-warn')).filter((e) => e.reason === 'ConfigurationError')).toEqual([]);
  });
});
