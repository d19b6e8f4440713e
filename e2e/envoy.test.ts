// End to end with a real Envoy: `portico bootstrap` output starts it, `portico serve` configures
// it, and HTTP requests through it reach the backends the seed scenario names. Envoy cannot be
// installed on every machine, so this runs only when ENVOY_BIN points at an Envoy binary
// (`ENVOY_BIN=/path/to/envoy make test-envoy`); the grpc-js-xds suite (proxyless-grpc.test.ts) is
// the proof that always runs. A set but unusable ENVOY_BIN fails the suite instead of skipping it.
//
// Each case runs its own Portico and Envoy, one after the other: the HTTP listener port (8080)
// comes from the translation, so two Envoys would share it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { envoyBootstrapYaml } from '../operator/src/cli/bootstrap-command.js';
import { compareEnvoyMinor, envoyBootstrap, parseXdsAddress, SHIPPED_ENVOY, VHDS_OVER_ADS_SINCE } from '../xds-server/src/index.js';
import type { NackEvent, StreamStatus, XdsProtocol } from '../xds-server/src/index.js';
import { dynamicListeners, dynamicRouteConfigs, virtualHostDomains } from './support/envoy-admin.js';
import type { EnvoyAdmin } from './support/envoy-admin.js';
import { checkEnvoyBinary, envoyVersion, expectPortFree, startEnvoy } from './support/envoy-process.js';
import { startPorticoServe } from './support/portico-process.js';
import type { PorticoProcess } from './support/portico-process.js';
import { endpointSlice, seedScenario } from './support/seed-scenario.js';
import type { Scenario } from './support/seed-scenario.js';
import { httpGet, httpsGet } from './support/tls-client.js';
import { createTestCa, fingerprint, tlsSecretObject } from './support/tls-secrets.js';
import type { KeyPair } from './support/tls-secrets.js';

/** Unset: skip. Set: must name an Envoy binary, or every case fails (checkEnvoyBinary). */
const ENVOY_BIN = process.env['ENVOY_BIN'];
/** The translator's HTTP listener port for a fleet without listener parameters. */
const ENVOY_HTTP_PORT = 8080;
/** The seed's IngressClass: its name is the fleet the bootstrap names as node.cluster. */
const FLEET = 'nginx';
/** The HTTP listener's RDS name in the translation. */
const ROUTE_CONFIG = 'http';
const ROUTE_CONFIGURATION_TYPE = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';
const VIRTUAL_HOST_TYPE = 'type.googleapis.com/envoy.config.route.v3.VirtualHost';
/** An endpoint edit must reach Envoy within this (the bound). */
const FOLLOW_MS = 1_000;
const CASE_TIMEOUT_MS = 120_000;

interface EnvoyCase {
  name: string;
  protocol: XdsProtocol;
  /** The class opts into VHDS through IngressClassParameters (Delta clients only). */
  virtualHostDiscovery: boolean;
}

const CASES: EnvoyCase[] = [
  { name: 'Delta, whole route tables over RDS', protocol: 'delta', virtualHostDiscovery: false },
  { name: 'SotW', protocol: 'sotw', virtualHostDiscovery: false },
  { name: `Delta, VHDS opted in (Envoy ${SHIPPED_ENVOY.minor})`, protocol: 'delta', virtualHostDiscovery: true },
];

interface DebugXds {
  streams: StreamStatus[];
  nacks: Record<string, NackEvent[]>;
}

// Per case, run in reverse after it: Envoy is stopped (and waited for) before the next case starts.
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe.each(CASES)('portico serve with a real Envoy: $name', (envoyCase) => {
  it.skipIf(ENVOY_BIN === undefined)(
    'routes the seed scenario, follows an endpoint edit and a new host, and Envoy rejects nothing (needs ENVOY_BIN)',
    async () => {
      const bin = checkEnvoyBinary(ENVOY_BIN ?? '');
      if (envoyCase.virtualHostDiscovery) await expectEnvoyAcceptsVhds(bin);
      const nodeId = `e2e-envoy-${envoyCase.protocol}${envoyCase.virtualHostDiscovery ? '-vhds' : ''}`;
      const a = await httpBackend('AAAAAA');
      const b = await httpBackend('BBBBBB');
      const c = await httpBackend('CCCCCC');
      const scenario: Scenario = seedScenario({ nginx1: a.port, nginx2: b.port });
      cleanups.push(() => scenario.remove());
      if (envoyCase.virtualHostDiscovery) optIntoVirtualHostDiscovery(scenario);
      const portico: PorticoProcess = await startPorticoServe({ manifests: scenario.dir });
      cleanups.push(() => portico.stop());
      const admin = await startCaseEnvoy(bin, portico, envoyCase.protocol, nodeId);

      expect(await eventually(() => get('nginx1.example.com'), 'AAAAAA', 20_000)).toBe('AAAAAA');
      expect(await get('nginx2.example.com')).toBe('BBBBBB');
      expect(await get('anything.example.org')).toBe('AAAAAA');

      scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', a.port), endpointSlice('nginx2', c.port)]);
      const started = Date.now();
      expect(await eventually(() => get('nginx2.example.com'), 'CCCCCC', 2_000)).toBe('CCCCCC');
      expect(Date.now() - started).toBeLessThan(FOLLOW_MS);

      // With VHDS the new host reaches Envoy as one VirtualHost resource; otherwise in a whole route table.
      addHost(scenario, 'nginx3.example.com', 'nginx2');
      expect(await eventually(() => get('nginx3.example.com'), 'CCCCCC', 5_000)).toBe('CCCCCC');
      expect(await get('nginx1.example.com')).toBe('AAAAAA');

      await expectEnvoyAccepted(admin, envoyCase);
      await expectNoRejections(admin);
      await expectStreamAcked(portico, nodeId, envoyCase);
    },
    CASE_TIMEOUT_MS,
  );
});

/** The translator's HTTPS listener port for a fleet without listener parameters. */
const ENVOY_HTTPS_PORT = 8443;

// TLS termination by a real Envoy: the seed scenario plus a TLS Ingress (shop.example.com, its own
// Secret) and a default certificate in the class's parameters, certificates made by a test CA at
// run time. Envoy gets the https Listener and the Secrets over SDS (ADS) from `portico serve`.
describe('portico serve with a real Envoy: TLS termination (Delta)', () => {
  it.skipIf(ENVOY_BIN === undefined)(
    'serves the TLS host\'s certificate by SNI with HSTS, the default certificate without SNI, redirects plain HTTP with 308, and a rotated Secret on new connections (needs ENVOY_BIN)',
    async () => {
      const bin = checkEnvoyBinary(ENVOY_BIN ?? '');
      const nodeId = 'e2e-envoy-tls';
      const a = await httpBackend('AAAAAA');
      const b = await httpBackend('BBBBBB');
      const shop = await httpBackend('SHOPSHOP');
      const ca = await createTestCa();
      const [shopFirst, shopSecond, fallback] = await Promise.all([ca.leaf(['shop.example.com']), ca.leaf(['shop.example.com']), ca.leaf(['default.example.com'])]);
      const scenario: Scenario = seedScenario({ nginx1: a.port, nginx2: b.port });
      cleanups.push(() => scenario.remove());
      const [ingressClass] = scenario.read('ingress-class.yaml') as { metadata: { name: string }; spec: Record<string, unknown> }[];
      if (ingressClass?.metadata.name !== FLEET) throw new Error(`seed IngressClass ${FLEET} missing`);
      const parameters = {
        apiVersion: 'portico.dev/v1alpha1',
        kind: 'ClusterIngressClassParameters',
        metadata: { name: `${FLEET}-tls` },
        spec: { tls: { defaultCertificate: { namespace: 'default', name: 'default-certificate' } } },
      };
      ingressClass.spec['parameters'] = { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: parameters.metadata.name };
      scenario.write('ingress-class.yaml', [ingressClass, parameters]);
      const shopService = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } };
      const shopIngress = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'shop', namespace: 'default' },
        spec: {
          ingressClassName: FLEET,
          tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
          rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'shop', port: { number: 80 } } } }] } }],
        },
      };
      scenario.write('shop.yaml', [shopService, endpointSlice('shop', shop.port), shopIngress]);
      const writeSecrets = (shopPair: KeyPair): void =>
        scenario.write('secrets.yaml', [tlsSecretObject('default', 'shop-tls', shopPair), tlsSecretObject('default', 'default-certificate', fallback)]);
      writeSecrets(shopFirst);

      const portico: PorticoProcess = await startPorticoServe({ manifests: scenario.dir });
      cleanups.push(() => portico.stop());
      await expectPortFree(ENVOY_HTTPS_PORT);
      const admin = await startCaseEnvoy(bin, portico, 'delta', nodeId);
      const https = (servername: string | undefined, host: string): Promise<string> =>
        httpsGet({ port: ENVOY_HTTPS_PORT, host, ca: ca.ca.cert, ...(servername !== undefined ? { servername } : {}) }).then(
          (answer) => `${answer.status} ${answer.body} ${answer.certificate ?? ''}`,
          (error: unknown) => `error: ${error instanceof Error ? error.message : String(error)}`,
        );

      // SNI names the TLS host: its own certificate (chain and name verified), the backend, HSTS.
      const shopAnswer = `200 SHOPSHOP ${fingerprint(shopFirst.cert)}`;
      expect(await eventually(() => https('shop.example.com', 'shop.example.com'), shopAnswer, 20_000)).toBe(shopAnswer);
      const secure = await httpsGet({ port: ENVOY_HTTPS_PORT, host: 'shop.example.com', servername: 'shop.example.com', ca: ca.ca.cert });
      expect(secure.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');

      // No SNI: the default certificate (its chain verified); a host without TLS of its own gets no HSTS.
      const defaultAnswer = `200 AAAAAA ${fingerprint(fallback.cert)}`;
      expect(await eventually(() => https(undefined, 'nginx1.example.com'), defaultAnswer, 5_000)).toBe(defaultAnswer);
      const noSni = await httpsGet({ port: ENVOY_HTTPS_PORT, host: 'nginx1.example.com', ca: ca.ca.cert });
      expect(noSni.headers['strict-transport-security']).toBeUndefined();
      // The default certificate does not name the TLS host: a client checking the name refuses it.
      expect(await https('nginx1.example.com', 'nginx1.example.com')).toMatch(/^error: .*(altnames|does not match)/i);

      // Plain HTTP to the TLS host: a permanent redirect to the same URL on https.
      const plain = await httpGet(ENVOY_HTTP_PORT, 'shop.example.com', '/cart?x=1');
      expect(plain.status).toBe(308);
      expect(plain.headers.location).toBe('https://shop.example.com/cart?x=1');
      // A host without TLS is still served over plain HTTP.
      expect(await get('nginx2.example.com')).toBe('BBBBBB');

      // Rotation: the Secret gets a new certificate; new connections see it, the Listener stays.
      const listenerBefore = dynamicListeners(await admin.configDump()).find((l) => l.name === 'https');
      expect(listenerBefore?.error_state, 'https listener').toBeUndefined();
      writeSecrets(shopSecond);
      const rotatedAnswer = `200 SHOPSHOP ${fingerprint(shopSecond.cert)}`;
      expect(await eventually(() => https('shop.example.com', 'shop.example.com'), rotatedAnswer, 10_000)).toBe(rotatedAnswer);
      const listenerAfter = dynamicListeners(await admin.configDump()).find((l) => l.name === 'https');
      expect(listenerAfter?.active_state?.version_info).toBe(listenerBefore?.active_state?.version_info);
      expect(await https(undefined, 'nginx1.example.com')).toBe(defaultAnswer);

      await expectNoRejections(admin);
      const debug = await waitForDebugXds(portico, (d) => {
        const stream = d.streams.find((s) => s.nodeId === nodeId);
        return stream !== undefined && Object.values(stream.types).every((t) => t.ackedVersion === t.sentVersion);
      });
      const stream = debug.streams.find((s) => s.nodeId === nodeId);
      expect(Object.keys(stream?.types ?? {})).toContain(SECRET_TYPE);
      for (const [type, status] of Object.entries(stream?.types ?? {})) expect(status.ackedVersion, type).toBe(status.sentVersion);
      expect(debug.nacks[nodeId] ?? []).toEqual([]);
    },
    CASE_TIMEOUT_MS,
  );
});

const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';

/** The VHDS case declares a 1.39+ fleet; an older ENVOY_BIN would reject it, which is no Portico bug. */
async function expectEnvoyAcceptsVhds(bin: string): Promise<void> {
  const version = await envoyVersion(bin);
  if (version === undefined) return;
  const minor = version.split('.').slice(0, 2).join('.');
  if (compareEnvoyMinor(minor, VHDS_OVER_ADS_SINCE) < 0) {
    throw new Error(`the VHDS case needs Envoy ${VHDS_OVER_ADS_SINCE} or newer; ENVOY_BIN=${bin} is ${version}`);
  }
}

/** Points the seed's IngressClass at parameters that enable VHDS and declare the shipped Envoy. */
function optIntoVirtualHostDiscovery(scenario: Scenario): void {
  const [ingressClass] = scenario.read('ingress-class.yaml') as { metadata: { name: string }; spec: Record<string, unknown> }[];
  if (ingressClass?.metadata.name !== FLEET) throw new Error(`seed IngressClass ${FLEET} missing`);
  const parameters = {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ClusterIngressClassParameters',
    metadata: { name: `${FLEET}-vhds` },
    spec: { envoy: { version: SHIPPED_ENVOY.minor, virtualHostDiscovery: true } },
  };
  ingressClass.spec['parameters'] = { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: parameters.metadata.name };
  scenario.write('ingress-class.yaml', [ingressClass, parameters]);
}

function addHost(scenario: Scenario, host: string, service: string): void {
  const [ingress] = scenario.read('ingress.yaml') as unknown as { spec: { rules: unknown[] } }[];
  if (!ingress) throw new Error('seed ingress missing');
  ingress.spec.rules.unshift({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } });
  scenario.write('ingress.yaml', [ingress]);
}

/** Writes the bootstrap `portico bootstrap` would print and starts Envoy on it. */
async function startCaseEnvoy(bin: string, portico: PorticoProcess, protocol: XdsProtocol, nodeId: string): Promise<EnvoyAdmin> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-envoy-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const bootstrapFile = join(dir, 'bootstrap.yaml');
  const xds = parseXdsAddress(`127.0.0.1:${portico.xdsPort}`);
  writeFileSync(bootstrapFile, envoyBootstrapYaml(envoyBootstrap({ fleet: FLEET, xds, nodeId, xdsProtocol: protocol, adminPort: 0, tls: false }), false));
  await expectPortFree(ENVOY_HTTP_PORT);
  const envoy = await startEnvoy({ bin, bootstrapFile, adminAddressFile: join(dir, 'admin-address') });
  cleanups.push(() => envoy.stop());
  return envoy.admin;
}

/** /config_dump: the listener and the route table are active, unrejected, and hold every host. */
async function expectEnvoyAccepted(admin: EnvoyAdmin, envoyCase: EnvoyCase): Promise<void> {
  const dump = await admin.configDump();
  const listeners = dynamicListeners(dump);
  expect(listeners.map((l) => l.name)).toContain('http');
  for (const listener of listeners) {
    expect(listener.error_state, `listener ${listener.name}`).toBeUndefined();
    expect(listener.active_state?.listener?.name, `listener ${listener.name} active`).toBe(listener.name);
  }
  const routeConfig = dynamicRouteConfigs(dump).find((rc) => rc.route_config?.name === ROUTE_CONFIG);
  expect(routeConfig, `dynamic route config ${ROUTE_CONFIG}`).toBeDefined();
  if (!routeConfig) return;
  expect(virtualHostDomains(routeConfig)).toEqual(['*', 'nginx1.example.com', 'nginx2.example.com', 'nginx3.example.com']);
  expect(routeConfig.route_config?.vhds !== undefined, 'route config has vhds').toBe(envoyCase.virtualHostDiscovery);
}

/** Every xDS subscription's update_rejected counter (LDS, CDS, RDS, EDS, VHDS) is still 0. */
async function expectNoRejections(admin: EnvoyAdmin): Promise<void> {
  // The filter has no regex syntax in it, so no Envoy release can differ on how it is decoded.
  const counters = new Map([...(await admin.counters('update_rejected'))].filter(([name]) => name.endsWith('.update_rejected')));
  expect([...counters.keys()]).toEqual(expect.arrayContaining(['listener_manager.lds.update_rejected', 'cluster_manager.cds.update_rejected', `http.http.rds.${ROUTE_CONFIG}.update_rejected`]));
  expect(Object.fromEntries([...counters].filter(([, value]) => value !== 0))).toEqual({});
}

/** Portico's view: the node's stream speaks the bootstrap's protocol, acked everything, NACKed nothing. */
async function expectStreamAcked(portico: PorticoProcess, nodeId: string, envoyCase: EnvoyCase): Promise<void> {
  const debug = await waitForDebugXds(portico, (d) => {
    const stream = d.streams.find((s) => s.nodeId === nodeId);
    return stream !== undefined && Object.values(stream.types).every((t) => t.ackedVersion === t.sentVersion);
  });
  const stream = debug.streams.find((s) => s.nodeId === nodeId);
  expect(stream, `stream of ${nodeId}`).toBeDefined();
  if (!stream) return;
  expect(stream.protocol).toBe(envoyCase.protocol);
  expect(stream.fleet).toBe(FLEET);
  expect(Object.keys(stream.types)).toContain(ROUTE_CONFIGURATION_TYPE);
  expect(Object.keys(stream.types).includes(VIRTUAL_HOST_TYPE), 'stream has VirtualHost (VHDS)').toBe(envoyCase.virtualHostDiscovery);
  for (const [type, status] of Object.entries(stream.types)) expect(status.ackedVersion, type).toBe(status.sentVersion);
  expect(debug.nacks[nodeId] ?? []).toEqual([]);
}

/** The last ACK may trail the last request Envoy served by a moment. */
async function waitForDebugXds(portico: PorticoProcess, done: (debug: DebugXds) => boolean): Promise<DebugXds> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const debug = JSON.parse((await portico.http('/debug/xds')).body) as DebugXds;
    if (done(debug) || Date.now() > deadline) return debug;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function httpBackend(name: string): Promise<{ port: number }> {
  const server: Server = createServer((_request, response) => response.end(name));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as AddressInfo).port };
}

function get(host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request({ host: '127.0.0.1', port: ENVOY_HTTP_PORT, path: '/', headers: { host }, timeout: 1_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve(body));
    });
    call.on('error', reject);
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.end();
  });
}

async function eventually(probe: () => Promise<string>, expected: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last === expected) return last;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return last;
}
