// End to end, with an independent xDS client: `portico serve` runs as a child process on a copy
// of the seed scenario whose endpoints are real gRPC backends; grpc-js-xds clients (gRPC's own
// proxyless implementation) bootstrap against it and route real calls. Every step edits the
// manifest folder the way a person would and watches the clients follow, without reconnecting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from './support/backends.js';
import type { Backend } from './support/backends.js';
import { CsdsReader } from './support/csds.js';
import type { ClientResourceStatus } from './support/csds.js';
import { startPorticoServe } from './support/portico-process.js';
import type { PorticoProcess } from './support/portico-process.js';
import { endpointSlice, seedScenario } from './support/seed-scenario.js';
import type { Scenario } from './support/seed-scenario.js';
import { untilAnswer, xdsClient } from './support/xds-clients.js';
import type { XdsTestClient } from './support/xds-clients.js';

const FLEET = 'nginx';
const INGRESS = 'Ingress default/name-virtual-host-ingress';
/** CSDS names types without the type.googleapis.com/ prefix. */
const CSDS_RDS_TYPE = 'envoy.config.route.v3.RouteConfiguration';
/** Edits must reach clients within this (the bound). */
const FOLLOW_MS = 1_000;

interface DebugXds {
  streams: { streamId: number; nodeId: string; types: Record<string, { initialVersion: string; sentVersion?: string; ackedVersion?: string }> }[];
}

let backends: Record<'A' | 'B' | 'C', Backend>;
let scenario: Scenario;
let portico: PorticoProcess;
let csds: CsdsReader;
let clients: Record<'nginx1' | 'nginx2' | 'other' | 'nginx3ByAnyHost' | 'nginx3', XdsTestClient>;

async function debugXds(): Promise<DebugXds> {
  return JSON.parse((await portico.http('/debug/xds')).body) as DebugXds;
}

/** Stream id per node: unchanged ids prove the clients never reconnected. */
async function streamIds(): Promise<Record<string, number>> {
  return Object.fromEntries((await debugXds()).streams.map((s) => [s.nodeId, s.streamId]));
}

function ingressWith(edit: (ingress: IngressDoc) => void): IngressDoc {
  const [ingress] = scenario.read('ingress.yaml') as unknown as IngressDoc[];
  if (!ingress) throw new Error('seed ingress missing');
  edit(ingress);
  return ingress;
}

interface IngressDoc {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { rules: { host: string; http: { paths: { path: string; pathType: string; backend: { service: { name: string; port: { number: number } } } }[] } }[] };
}

const rule = (host: string, service: string, paths: string[] = ['/']) => ({
  host,
  http: { paths: paths.map((path) => ({ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } })) },
});

beforeAll(async () => {
  backends = { A: await startBackend('AAAAAA'), B: await startBackend('BBBBBB'), C: await startBackend('CCCCCC') };
  scenario = seedScenario({ nginx1: backends.A.port, nginx2: backends.B.port });
  csds = new CsdsReader();
  await csds.start();
  portico = await startPorticoServe({ manifests: scenario.dir });
  const xdsAddress = `127.0.0.1:${portico.xdsPort}`;
  const client = (nodeId: string, target: string, anyHost = false) => xdsClient({ nodeId, target, fleet: FLEET, xdsAddress, anyHost });
  clients = {
    nginx1: client('e2e-nginx1', 'nginx1.example.com'),
    nginx2: client('e2e-nginx2', 'nginx2.example.com'),
    other: client('e2e-other', 'other.example.com', true),
    nginx3ByAnyHost: client('e2e-nginx3-any-host', 'nginx3.example.com', true),
    // Dials a host no Ingress names yet: its Listener is asked for before it exists.
    nginx3: client('e2e-nginx3', 'nginx3.example.com'),
  };
});

afterAll(async () => {
  for (const c of Object.values(clients ?? {})) c.client.close();
  csds?.stop();
  await portico?.stop();
  for (const b of Object.values(backends ?? {})) await b.stop();
  scenario?.remove();
});

describe('portico serve with proxyless gRPC clients (grpc-js-xds)', () => {
  it('routes the seed scenario: nginx1 → AAAAAA, nginx2 → BBBBBB, any other host → AAAAAA', async () => {
    await untilAnswer(clients.nginx1, 'AAAAAA', 10_000);
    await untilAnswer(clients.nginx2, 'BBBBBB', 10_000);
    await untilAnswer(clients.other, 'AAAAAA', 10_000);
    await untilAnswer(clients.nginx3ByAnyHost, 'AAAAAA', 10_000);
    expect((await portico.http('/readyz')).status).toBe(200);

    expect(await rdsStatus('e2e-nginx1')).toMatchObject({ name: 'grpc:nginx1.example.com', status: 'ACKED' });
    await waitUntil(async () => (portico.stdout().includes('xds:///nginx2.example.com') ? true : undefined), 5_000);
    expect(portico.stdout()).toContain('fleet nginx (IngressClass nginx)');
  });

  it('adds a host: clients follow within a second, and a client waiting for that name gets it', async () => {
    const before = await streamIds();
    scenario.write('ingress.yaml', [ingressWith((i) => i.spec.rules.push(rule('nginx3.example.com', 'nginx2')))]);
    const took = await untilAnswer(clients.nginx3ByAnyHost, 'BBBBBB', FOLLOW_MS);
    await untilAnswer(clients.nginx3, 'BBBBBB', FOLLOW_MS);
    expect(took).toBeLessThan(FOLLOW_MS);
    expect(await clients.nginx1.who()).toBe('AAAAAA');
    expect(await streamIds()).toMatchObject(before);
  });

  it('removes a path: calls fall back to the remaining route within a second', async () => {
    // First give nginx1.example.com a second path that sends the Admin service to nginx2.
    scenario.write('ingress.yaml', [
      ingressWith((i) => {
        i.spec.rules[0] = rule('nginx1.example.com', 'nginx1', ['/', '/portico.e2e.Admin']);
        i.spec.rules[0].http.paths[1]!.backend.service.name = 'nginx2';
      }),
    ]);
    await untilAnswer(clients.nginx1, 'BBBBBB', FOLLOW_MS, '/portico.e2e.Admin/Who');
    expect(await clients.nginx1.who('/portico.e2e.Echo/Who')).toBe('AAAAAA');

    const before = await streamIds();
    scenario.write('ingress.yaml', [ingressWith((i) => (i.spec.rules[0] = rule('nginx1.example.com', 'nginx1')))]);
    const took = await untilAnswer(clients.nginx1, 'AAAAAA', FOLLOW_MS, '/portico.e2e.Admin/Who');
    expect(took).toBeLessThan(FOLLOW_MS);
    expect(await streamIds()).toMatchObject(before);
  });

  it('changes an endpoint: clients reach the new backend within a second', async () => {
    const before = await streamIds();
    scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', backends.A.port), endpointSlice('nginx2', backends.C.port)]);
    const took = await untilAnswer(clients.nginx2, 'CCCCCC', FOLLOW_MS);
    expect(took).toBeLessThan(FOLLOW_MS);
    await untilAnswer(clients.nginx3, 'CCCCCC', FOLLOW_MS);
    expect(await streamIds()).toMatchObject(before);
  });

  it('keeps serving the last good configuration while a file is broken', async () => {
    scenario.writeRaw('endpoint-slices.yaml', 'kind: EndpointSlice\nmetadata: [unclosed\n');
    await portico.waitForLog('manifests.unreadable', (l) => String(l['file']).endsWith('endpoint-slices.yaml'), 5_000);
    expect(await clients.nginx2.who()).toBe('CCCCCC');
    expect(await clients.nginx1.who()).toBe('AAAAAA');
    scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', backends.A.port), endpointSlice('nginx2', backends.B.port)]);
    await untilAnswer(clients.nginx2, 'BBBBBB', FOLLOW_MS);
  });

  it('leaves out for gRPC clients a route they would reject (app-root), with a warning, instead of a NACK', async () => {
    // app-root makes a redirect route: fine for Envoy, and a NACK of the whole table for gRPC, so
    // the gRPC tables leave it out (e2e/proxyless-grpc-unusable-routes.test.ts covers any-host).
    const nacksBefore = portico.events('xds.nack').length;
    scenario.write('ingress.yaml', [ingressWith((i) => (i.metadata.annotations = { 'nginx.ingress.kubernetes.io/app-root': '/app' }))]);
    const warning = await portico.waitForLog('xds.grpc_routes_left_out', () => true, 5_000);
    expect(JSON.stringify(warning)).toContain(INGRESS);
    // Routes and endpoints keep flowing to the clients.
    scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', backends.C.port), endpointSlice('nginx2', backends.B.port)]);
    await untilAnswer(clients.nginx1, 'CCCCCC', FOLLOW_MS);
    expect(await clients.nginx2.who()).toBe('BBBBBB');
    expect((await rdsStatus('e2e-nginx1')).status).toBe('ACKED');
    expect(portico.events('xds.nack').length).toBe(nacksBefore);

    scenario.write('ingress.yaml', [ingressWith((i) => delete i.metadata.annotations)]);
    scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', backends.A.port), endpointSlice('nginx2', backends.B.port)]);
    await untilAnswer(clients.nginx1, 'AAAAAA', FOLLOW_MS);
  });

  it('restarting portico serve with the same manifests gives clients identical versions', async () => {
    const nodes = Object.values(clients).map((c) => c.nodeId);
    /** Every client has answered every response it was sent. */
    const allSettled = (): Promise<Awaited<ReturnType<typeof debugXds>>['streams']> =>
      waitUntil(async () => {
        const { streams } = await debugXds();
        const settled = streams.filter((s) => Object.values(s.types).every((t) => t.sentVersion !== undefined && t.ackedVersion === t.sentVersion));
        return settled.length === nodes.length ? streams : undefined;
      }, 20_000);
    // The test before ends with two file edits, which may be two reloads (decision 0016): a client
    // other than the one it waited for may still be taking in the second.
    await allSettled();
    await waitUntil(async () => {
      const held = await Promise.all(nodes.map(async (node) => versionsOf(await csds.resources(node))));
      return held.every((versions) => Object.values(versions).every((status) => status.startsWith('ACKED'))) || undefined;
    }, 20_000);
    const versionsBefore = Object.fromEntries(await Promise.all(nodes.map(async (node) => [node, versionsOf(await csds.resources(node))] as const)));
    const xdsPort = portico.xdsPort;
    expect(await portico.stop()).toBe(0);
    portico = await startPorticoServe({ manifests: scenario.dir, xdsPort });

    // Every client reconnects (its own backoff) and answers the first responses of the new process.
    const reconnected = await allSettled();
    for (const stream of reconnected) {
      // What each client already held is exactly what the new process sends.
      for (const type of Object.values(stream.types)) expect(type.initialVersion).toBe(type.sentVersion);
    }
    for (const node of nodes) expect(versionsOf(await csds.resources(node))).toEqual(versionsBefore[node]);
    expect(await clients.nginx1.who()).toBe('AAAAAA');
    expect(await clients.nginx2.who()).toBe('BBBBBB');
    expect(await clients.other.who()).toBe('AAAAAA');
  });
});

async function rdsStatus(node: string): Promise<ClientResourceStatus> {
  const rds = (await csds.resources(node)).find((r) => r.typeUrl === CSDS_RDS_TYPE);
  if (!rds) throw new Error(`${node} holds no RouteConfiguration`);
  return rds;
}

function versionsOf(resources: ClientResourceStatus[]): Record<string, string> {
  return Object.fromEntries(resources.map((r) => [`${r.typeUrl} ${r.name}`, `${r.status} ${r.version}`]));
}

async function waitUntil<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // the server may still be starting
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
