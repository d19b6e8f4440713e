// End to end with grpc-js-xds: an Ingress whose app-root annotation makes a redirect route (which
// gRPC rejects, table and all) must cost proxyless clients that route only, never the whole table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackend } from './support/backends.js';
import type { Backend } from './support/backends.js';
import { CsdsReader } from './support/csds.js';
import { startPorticoServe } from './support/portico-process.js';
import type { PorticoProcess } from './support/portico-process.js';
import { seedScenario } from './support/seed-scenario.js';
import type { Scenario } from './support/seed-scenario.js';
import { untilAnswer, xdsClient } from './support/xds-clients.js';
import type { XdsTestClient } from './support/xds-clients.js';

const CSDS_RDS_TYPE = 'envoy.config.route.v3.RouteConfiguration';

let backends: Backend[] = [];
let scenario: Scenario | undefined;
let portico: PorticoProcess | undefined;
let csds: CsdsReader | undefined;
const clients: XdsTestClient[] = [];

beforeAll(async () => {
  const a = await startBackend('AAAAAA');
  const b = await startBackend('BBBBBB');
  backends = [a, b];
  scenario = seedScenario({ nginx1: a.port, nginx2: b.port });
  const [seed] = scenario.read('ingress.yaml') as { metadata: Record<string, unknown>; spec: Record<string, unknown> }[];
  if (!seed) throw new Error('seed ingress missing');
  const ingress = (name: string, host: string, annotations: Record<string, string>) => ({
    ...seed,
    metadata: { name, namespace: 'default', annotations },
    spec: {
      ingressClassName: seed.spec['ingressClassName'],
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx2', port: { number: 80 } } } }] } }],
    },
  });
  // A CorsPolicy per route (grpc-js-xds rejects the table for it: the gRPC view strips it) and a
  // source range (gRPC clients cannot enforce it: the gRPC view leaves the route out).
  scenario.write('filters.yaml', [
    ingress('cors', 'cors.example.com', { 'nginx.ingress.kubernetes.io/enable-cors': 'true' }),
    ingress('guarded', 'guarded.example.com', { 'nginx.ingress.kubernetes.io/allowlist-source-range': '10.0.0.0/8' }),
  ]);
  scenario.write('app-root.yaml', [
    {
      ...seed,
      metadata: { name: 'app-root', namespace: 'default', annotations: { 'nginx.ingress.kubernetes.io/app-root': '/app' } },
      spec: {
        ingressClassName: seed.spec['ingressClassName'],
        rules: [{ host: 'app.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx2', port: { number: 80 } } } }] } }],
      },
    },
  ]);
  csds = new CsdsReader();
  await csds.start();
  portico = await startPorticoServe({ manifests: scenario.dir });
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.client.close();
  csds?.stop();
  await portico?.stop();
  for (const b of backends) await b.stop();
  scenario?.remove();
});

describe('proxyless gRPC clients and routes gRPC cannot use', () => {
  it('routes every other host in any-host mode, and the app-root host by its remaining route', async () => {
    const xdsAddress = `127.0.0.1:${portico?.xdsPort ?? 0}`;
    const client = (nodeId: string, target: string, anyHost: boolean): XdsTestClient => {
      const created = xdsClient({ nodeId, target, fleet: 'nginx', xdsAddress, anyHost });
      clients.push(created);
      return created;
    };
    await untilAnswer(client('e2e-any-nginx1', 'nginx1.example.com', true), 'AAAAAA', 10_000);
    await untilAnswer(client('e2e-any-nginx2', 'nginx2.example.com', true), 'BBBBBB', 10_000);
    // The redirect matched only `/`; gRPC paths are /package.Service/Method.
    await untilAnswer(client('e2e-any-app', 'app.example.com', true), 'BBBBBB', 10_000);
    await untilAnswer(client('e2e-app', 'app.example.com', false), 'BBBBBB', 10_000);

    // The CORS host's table carried a CorsPolicy on Envoy's side: stripped for gRPC, so it routes.
    await untilAnswer(client('e2e-any-cors', 'cors.example.com', true), 'BBBBBB', 10_000);
    await untilAnswer(client('e2e-cors', 'cors.example.com', false), 'BBBBBB', 10_000);
    for (const node of ['e2e-any-cors', 'e2e-cors']) {
      expect((await csds?.resources(node))?.find((r) => r.typeUrl === CSDS_RDS_TYPE), node).toMatchObject({ status: 'ACKED' });
    }

    const rds = (await csds?.resources('e2e-any-nginx1'))?.find((r) => r.typeUrl === CSDS_RDS_TYPE);
    expect(rds).toMatchObject({ name: 'grpc:*', status: 'ACKED' });
    // Told to the app-root Ingress alone, as a warning.
    const told = (portico?.logs ?? []).filter((l) => JSON.stringify(l).includes('left out for proxyless gRPC clients'));
    expect(told.length).toBeGreaterThan(0);
    expect(JSON.stringify(told)).toContain('Ingress default/app-root');
    expect(JSON.stringify(told)).not.toContain('name-virtual-host-ingress');
    // The source-range route is left out (served without its guard it would fail open), and told.
    expect(JSON.stringify(told)).toContain('Ingress default/guarded');
    expect(JSON.stringify(told)).toContain('access control gRPC clients cannot enforce');
    expect(JSON.stringify(told)).not.toContain('Ingress default/cors');
  });
});
