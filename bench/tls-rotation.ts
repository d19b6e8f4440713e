// TLS rotation benchmark: N TLS hosts (N Ingresses, each with its own kubernetes.io/tls Secret and
// host), an in-process XdsServer with C Delta and C SotW clients subscribed like Envoy, then ONE
// Secret rotated (a new certificate in the same Secret), `--runs` times, a different Secret each run.
//   npx tsx bench/tls-rotation.ts [--hosts 1000] [--clients 50] [--runs 5]
// Measures, per rotation: translate (buildEnvoyConfig of the whole state) and publish
// (publishConfig → XdsServer.publishFleet), the time from the start of translate until every
// client has the new SDS response, and what each client receives (responses per type, resources
// per SDS response, SDS response bytes). Certificates (ECDSA P-256, one CA) are made once up front
// and are not timed. Clients (test-support raw clients, every response ACKed at once; Delta
// subscribes to Secrets by name as Envoy does, SotW lists every name) run in this process, so
// "until every client has it" includes their decoding on the same event loop. Portico's figures
// only: the go-control-plane peer (bench/peer) has no translator of Secrets to compare with.
// Prints a table and writes bench/results/tls-rotation.json. Private keys are never printed.
import { X509Certificate } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import type { EnvoyConfig } from '../operator/src/pipeline.js';
import { publishConfig } from '../operator/src/serve/fleet-publication.js';
import type { ServedFleet } from '../operator/src/serve/fleet-publication.js';
import type { ClusterState, V1Secret } from '../operator/src/store/cluster-state.js';
import { toTypedObject } from '../operator/src/store/typed-objects.js';
import { XdsServer } from '../xds-server/src/index.js';
import { typeUrlOf } from '../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../xds-server/src/protos/envoy-protos.js';
import { RawAdsClient } from '../xds-server/src/test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../xds-server/src/test-support/raw-ads-client.js';
import { RawDeltaClient } from '../xds-server/src/test-support/raw-delta-client.js';
import type { DeltaReceivedResponse } from '../xds-server/src/test-support/raw-delta-client.js';
import { createCa, issueServerCertificate } from '../xds-server/src/tls/certificates.js';
import type { KeyPair } from '../xds-server/src/tls/certificates.js';

const { values } = parseArgs({ options: { hosts: { type: 'string', default: '1000' }, clients: { type: 'string', default: '50' }, runs: { type: 'string', default: '5' } } });
const HOSTS = Number(values.hosts);
const CLIENTS = Number(values.clients);
const RUNS = Number(values.runs);
const CLASS = 'portico';
const NAMESPACES = 50;
const KINDS: readonly ResourceKind[] = ['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration', 'secret'];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const median = (samples: number[]): number => [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? NaN;
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));
const namespaceOf = (i: number): string => `team-${i % NAMESPACES}`;
const hostOf = (i: number): string => `app-${i}.${namespaceOf(i)}.example.com`;
const secretNameOf = (i: number): string => `${namespaceOf(i)}/app-${i}-tls`;

// ---- workload --------------------------------------------------------------------------------

function secretObject(i: number, pair: KeyPair): V1Secret {
  return toTypedObject<V1Secret>('Secret', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `app-${i}-tls`, namespace: namespaceOf(i) },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
  });
}

function workload(pairs: readonly KeyPair[]): ClusterState {
  const state: { -readonly [K in keyof ClusterState]: ClusterState[K][number][] } = {
    ingresses: [], ingressClasses: [], services: [], endpointSlices: [], secrets: [], ingressClassParameters: [], clusterIngressClassParameters: [],
  };
  state.ingressClasses.push(toTypedObject('IngressClass', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: CLASS }, spec: { controller: 'portico.dev/ingress-controller' } }));
  pairs.forEach((pair, i) => {
    const namespace = namespaceOf(i);
    const service = `app-${i}`;
    state.services.push(toTypedObject('Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: service, namespace }, spec: { ports: [{ name: 'http', port: 80 }] } }));
    state.endpointSlices.push(toTypedObject('EndpointSlice', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${service}-x1`, namespace, labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: [`10.${(i >> 8) & 255}.${i & 255}.1`], conditions: { ready: true } }],
    }));
    state.secrets.push(secretObject(i, pair));
    state.ingresses.push(toTypedObject('Ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: `app-${i}`, namespace, creationTimestamp: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() },
      spec: {
        ingressClassName: CLASS,
        tls: [{ hosts: [hostOf(i)], secretName: `app-${i}-tls` }],
        rules: [{ host: hostOf(i), http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }],
      },
    }));
  });
  return state;
}

// ---- clients ---------------------------------------------------------------------------------

interface Arrival {
  at: number;
  typeUrl: string;
  bytes: number;
  resources: number;
  names: string[];
}

interface BenchClient {
  protocol: 'delta' | 'sotw';
  arrivals: Arrival[];
  /** Certificate fingerprints of the last Secrets it decoded (probe clients only). */
  fingerprints: Map<string, string>;
  close(): void;
}

function recordFingerprints(into: Map<string, string>, resources: ReadonlyArray<{ name: string; object: Record<string, unknown> }>): void {
  for (const r of resources) {
    const chain = (r.object['tls_certificate'] as { certificate_chain?: { inline_string?: string } } | undefined)?.certificate_chain?.inline_string;
    if (chain) into.set(String(r.object['name'] ?? r.name), new X509Certificate(chain).fingerprint256);
  }
}

interface RawResponse {
  typeUrl: string;
  bytes: Uint8Array;
  resources: ReadonlyArray<{ name: string; object: Record<string, unknown> }>;
}

/** Both protocols: record every response, fingerprint Secrets on the probe client, ACK. */
function receiveAll<R extends RawResponse>(self: BenchClient, next: () => Promise<R>, ack: (response: R) => void, probe: boolean): void {
  void (async () => {
    for (;;) {
      let response: R;
      try {
        response = await next();
      } catch {
        return;
      }
      self.arrivals.push({ at: performance.now(), typeUrl: response.typeUrl, bytes: response.bytes.length, resources: response.resources.length, names: response.resources.map((r) => r.name) });
      if (probe) recordFingerprints(self.fingerprints, response.resources);
      ack(response);
    }
  })();
}

function deltaClient(address: string, id: string, secrets: string[], probe: boolean): BenchClient {
  const client = new RawDeltaClient(address, { id, cluster: CLASS }, probe);
  const self: BenchClient = { protocol: 'delta', arrivals: [], fingerprints: new Map(), close: () => client.close() };
  client.subscribe('cluster');
  client.subscribe('listener');
  client.subscribe('routeConfiguration', ['http', 'https']);
  client.subscribe('secret', secrets);
  receiveAll<DeltaReceivedResponse>(self, () => client.next(undefined, 3_600_000), (response) => client.ack(response), probe);
  return self;
}

function sotwClient(address: string, id: string, secrets: string[], probe: boolean): BenchClient {
  const client = new RawAdsClient(address, { id, cluster: CLASS }, probe);
  const self: BenchClient = { protocol: 'sotw', arrivals: [], fingerprints: new Map(), close: () => client.close() };
  const names = new Map<string, string[]>([[typeUrlOf('cluster'), []], [typeUrlOf('listener'), []], [typeUrlOf('routeConfiguration'), ['http', 'https']], [typeUrlOf('secret'), secrets]]);
  client.subscribe('cluster');
  client.subscribe('listener');
  client.subscribe('routeConfiguration', ['http', 'https']);
  client.subscribe('secret', secrets);
  receiveAll<ReceivedResponse>(self, () => client.next(undefined, 3_600_000), (response) => client.ack(response, names.get(response.typeUrl) ?? []), probe);
  return self;
}

/** Waits until no client received anything for `quietMs`. */
async function untilQuiet(clients: readonly BenchClient[], quietMs: number, timeoutMs = 600_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const last = Math.max(0, ...clients.map((c) => c.arrivals.at(-1)?.at ?? 0));
    if (performance.now() - last >= quietMs && clients.every((c) => c.arrivals.length > 0)) return;
    if (performance.now() > deadline) throw new Error('clients did not settle');
    await sleep(50);
  }
}

// ---- run -------------------------------------------------------------------------------------

const certStart = performance.now();
const ca = await createCa('Portico bench ingress CA');
const pairs: KeyPair[] = [];
for (let i = 0; i < HOSTS; i++) pairs.push(await issueServerCertificate(ca, { dnsNames: [hostOf(i)] }));
const rotatedTargets = Array.from({ length: RUNS }, (_, run) => (run * 7919 + 13) % HOSTS);
const rotations: KeyPair[] = [];
for (const target of rotatedTargets) rotations.push(await issueServerCertificate(ca, { dnsNames: [hostOf(target)] }));
const certificatesMs = performance.now() - certStart;

let state = workload(pairs);
const coldStart = performance.now();
let config: EnvoyConfig = buildEnvoyConfig(state);
const coldTranslateMs = performance.now() - coldStart;
const fleet = config.fleets[0];
if (!fleet || fleet.resources.secrets.length !== HOSTS) throw new Error(`expected ${HOSTS} Secrets, got ${fleet?.resources.secrets.length ?? 0}`);
if (config.diagnostics.length > 0) throw new Error(`unexpected diagnostics: ${config.diagnostics.slice(0, 3).map((d) => d.message).join('; ')}`);

const server = new XdsServer();
let served: ServedFleet[] = [];
const firstPublishStart = performance.now();
served = publishConfig(server, config, served).served;
const firstPublishMs = performance.now() - firstPublishStart;
const port = await server.start('127.0.0.1:0');
const address = `127.0.0.1:${port}`;

const secretNames = Array.from({ length: HOSTS }, (_, i) => secretNameOf(i));
const clients: BenchClient[] = [];
const connectStart = performance.now();
for (let i = 0; i < CLIENTS; i++) {
  clients.push(deltaClient(address, `delta-${i}`, secretNames, i === 0));
  clients.push(sotwClient(address, `sotw-${i}`, secretNames, i === 0));
}
await untilQuiet(clients, 1_000);
const connectMs = performance.now() - connectStart - 1_000;
const sizeOf = (c: BenchClient, kind: ResourceKind): number => c.arrivals.filter((a) => a.typeUrl === typeUrlOf(kind)).reduce((n, a) => n + a.bytes, 0);
const initial = {
  sdsBytesPerClient: sizeOf(clients[0] as BenchClient, 'secret'),
  ldsBytesPerClient: sizeOf(clients[0] as BenchClient, 'listener'),
  rdsBytesPerClient: sizeOf(clients[0] as BenchClient, 'routeConfiguration'),
};

interface RunFigures {
  secret: string;
  translateMs: number;
  publishMs: number;
  allClientsHaveItMs: number;
  afterPublishMs: number;
  delta: { responses: Record<string, number>; sdsResources: number; sdsBytes: number; onlyTheRotatedSecret: boolean; newCertificate: boolean };
  sotw: { responses: Record<string, number>; sdsResources: number; sdsBytes: number; newCertificate: boolean };
}

function received(c: BenchClient, since: number): { responses: Record<string, number>; sds: Arrival[] } {
  const after = c.arrivals.filter((a) => a.at >= since);
  const responses: Record<string, number> = {};
  for (const kind of KINDS) {
    const n = after.filter((a) => a.typeUrl === typeUrlOf(kind)).length;
    if (n > 0) responses[kind] = n;
  }
  return { responses, sds: after.filter((a) => a.typeUrl === typeUrlOf('secret')) };
}

const runs: RunFigures[] = [];
for (let run = 0; run < RUNS; run++) {
  const target = rotatedTargets[run] as number;
  const name = secretNameOf(target);
  const newCertificate = new X509Certificate((rotations[run] as KeyPair).cert).fingerprint256;
  // The store hands the translator a new snapshot where one Secret object is new (as a watch event would).
  const secrets = state.secrets.map((s, i) => (i === target ? secretObject(target, rotations[run] as KeyPair) : s));
  const next: ClusterState = { ...state, secrets };
  const t0 = performance.now();
  config = buildEnvoyConfig(next);
  const t1 = performance.now();
  const publication = publishConfig(server, config, served);
  const t2 = performance.now();
  served = publication.served;
  state = next;
  const has = (c: BenchClient): number | undefined => c.arrivals.find((a) => a.at >= t0 && a.typeUrl === typeUrlOf('secret'))?.at;
  const deadline = performance.now() + 60_000;
  while (clients.some((c) => has(c) === undefined)) {
    if (performance.now() > deadline) throw new Error(`run ${run}: not every client received the rotated Secret`);
    await sleep(2);
  }
  const last = Math.max(...clients.map((c) => has(c) as number));
  await untilQuiet(clients, 500);
  const delta = clients.filter((c) => c.protocol === 'delta').map((c) => received(c, t0));
  const sotw = clients.filter((c) => c.protocol === 'sotw').map((c) => received(c, t0));
  const probeDelta = clients.find((c) => c.protocol === 'delta') as BenchClient;
  const probeSotw = clients.find((c) => c.protocol === 'sotw') as BenchClient;
  const d0 = delta[0] as { responses: Record<string, number>; sds: Arrival[] };
  const s0 = sotw[0] as { responses: Record<string, number>; sds: Arrival[] };
  const figures: RunFigures = {
    secret: name,
    translateMs: round(t1 - t0),
    publishMs: round(t2 - t1),
    allClientsHaveItMs: round(last - t0),
    afterPublishMs: round(last - t2),
    delta: {
      responses: d0.responses,
      sdsResources: d0.sds.reduce((n, a) => n + a.resources, 0),
      sdsBytes: d0.sds.reduce((n, a) => n + a.bytes, 0),
      onlyTheRotatedSecret: delta.every((r) => r.sds.flatMap((a) => a.names).join() === name) && probeDelta.fingerprints.get(name) === newCertificate,
      newCertificate: probeDelta.fingerprints.get(name) === newCertificate,
    },
    sotw: {
      responses: s0.responses,
      sdsResources: s0.sds.reduce((n, a) => n + a.resources, 0),
      sdsBytes: s0.sds.reduce((n, a) => n + a.bytes, 0),
      newCertificate: probeSotw.fingerprints.get(name) === newCertificate,
    },
  };
  // Every client of a protocol should have got the same; say so if not.
  for (const [protocol, all] of [['delta', delta], ['sotw', sotw]] as const) {
    const shapes = new Set(all.map((r) => JSON.stringify([r.responses, r.sds.map((a) => a.bytes)])));
    if (shapes.size > 1) console.warn(`run ${run}: ${protocol} clients received different things: ${[...shapes].slice(0, 3).join(' | ')}`);
  }
  runs.push(figures);
  console.log(JSON.stringify(figures));
}

for (const c of clients) c.close();
await server.shutdown(1_000);

const summary = {
  hosts: HOSTS,
  clients: { delta: CLIENTS, sotw: CLIENTS },
  certificatesMs: round(certificatesMs, 0),
  coldTranslateMs: round(coldTranslateMs),
  firstPublishMs: round(firstPublishMs),
  connectAndSyncMs: round(connectMs, 0),
  initialPerClient: initial,
  rotation: {
    translateMsMedian: round(median(runs.map((r) => r.translateMs))),
    publishMsMedian: round(median(runs.map((r) => r.publishMs))),
    translatePlusPublishMsMedian: round(median(runs.map((r) => r.translateMs + r.publishMs))),
    allClientsHaveItMsMedian: round(median(runs.map((r) => r.allClientsHaveItMs))),
    allClientsHaveItMsMax: round(Math.max(...runs.map((r) => r.allClientsHaveItMs))),
    deltaSdsBytesPerClient: median(runs.map((r) => r.delta.sdsBytes)),
    deltaSdsResourcesPerClient: median(runs.map((r) => r.delta.sdsResources)),
    deltaOnlyTheRotatedSecret: runs.every((r) => r.delta.onlyTheRotatedSecret),
    sotwSdsBytesPerClient: median(runs.map((r) => r.sotw.sdsBytes)),
    sotwSdsResourcesPerClient: median(runs.map((r) => r.sotw.sdsResources)),
    otherResponses: { delta: runs.map((r) => r.delta.responses), sotw: runs.map((r) => r.sotw.responses) },
    newCertificateSeen: runs.every((r) => r.delta.newCertificate && r.sotw.newCertificate),
  },
};
const output = {
  command: `npx tsx bench/tls-rotation.ts --hosts ${HOSTS} --clients ${CLIENTS} --runs ${RUNS}`,
  node: process.version,
  date: new Date().toISOString(),
  summary,
  runs,
};
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'tls-rotation.json'), `${JSON.stringify(output, null, 2)}\n`);
console.log(JSON.stringify(summary, null, 2));
