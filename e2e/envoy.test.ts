// End to end with a real Envoy: `portico bootstrap` output starts it, `portico serve` configures
// it, and HTTP requests through it reach the backends the seed scenario names. Envoy cannot be
// installed on every machine, so this runs only when ENVOY_BIN points at an Envoy binary; the
// grpc-js-xds suite (proxyless-grpc.test.ts) is the proof that always runs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { envoyBootstrapYaml } from '../operator/src/cli/bootstrap-command.js';
import { envoyBootstrap, parseXdsAddress } from '../xds-server/src/index.js';
import { startPorticoServe } from './support/portico-process.js';
import type { PorticoProcess } from './support/portico-process.js';
import { endpointSlice, seedScenario } from './support/seed-scenario.js';
import type { Scenario } from './support/seed-scenario.js';

const ENVOY_BIN = process.env['ENVOY_BIN'];
/** The translator's HTTP listener port for a fleet without parameters. */
const ENVOY_HTTP_PORT = 8080;

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('portico serve with a real Envoy', () => {
  it.skipIf(!ENVOY_BIN)('routes HTTP through Envoy as the seed scenario says, and follows edits (needs ENVOY_BIN)', async () => {
    const a = await httpBackend('AAAAAA');
    const b = await httpBackend('BBBBBB');
    const c = await httpBackend('CCCCCC');
    const scenario: Scenario = seedScenario({ nginx1: a.port, nginx2: b.port });
    cleanups.push(() => scenario.remove());
    const portico: PorticoProcess = await startPorticoServe({ manifests: scenario.dir });
    cleanups.push(() => portico.stop());

    const bootstrapFile = join(scenario.dir, '..', `envoy-${process.pid}.yaml`);
    const bootstrap = envoyBootstrap({ fleet: 'nginx', xds: parseXdsAddress(`127.0.0.1:${portico.xdsPort}`), nodeId: 'e2e-envoy', adminPort: 0 });
    writeFileSync(bootstrapFile, envoyBootstrapYaml(bootstrap, false));
    const envoy: ChildProcess = spawn(ENVOY_BIN ?? 'envoy', ['-c', bootstrapFile, '--disable-hot-restart', '--log-level', 'warn'], { stdio: 'inherit' });
    cleanups.push(() => envoy.kill('SIGTERM'));

    expect(await eventually(() => get('nginx1.example.com'), 'AAAAAA', 20_000)).toBe('AAAAAA');
    expect(await get('nginx2.example.com')).toBe('BBBBBB');
    expect(await get('anything.example.org')).toBe('AAAAAA');

    scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', a.port), endpointSlice('nginx2', c.port)]);
    const started = Date.now();
    expect(await eventually(() => get('nginx2.example.com'), 'CCCCCC', 2_000)).toBe('CCCCCC');
    expect(Date.now() - started).toBeLessThan(1_000);

    // A new host reaches Envoy as one VirtualHost resource (VHDS: Delta is the bootstrap default).
    const [ingress] = scenario.read('ingress.yaml') as unknown as { spec: { rules: unknown[] } }[];
    if (!ingress) throw new Error('seed ingress missing');
    ingress.spec.rules.unshift({ host: 'nginx3.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'nginx2', port: { number: 80 } } } }] } });
    scenario.write('ingress.yaml', [ingress]);
    expect(await eventually(() => get('nginx3.example.com'), 'CCCCCC', 5_000)).toBe('CCCCCC');
    expect(await get('nginx1.example.com')).toBe('AAAAAA');

    const { streams, nacks } = JSON.parse((await portico.http('/debug/xds')).body) as {
      streams: { nodeId: string; types: Record<string, { sentVersion?: string; ackedVersion?: string }> }[];
      nacks: Record<string, unknown[]>;
    };
    const envoyStream = streams.find((s) => s.nodeId === 'e2e-envoy');
    expect(envoyStream).toBeDefined();
    expect(Object.keys(envoyStream?.types ?? {})).toContain('type.googleapis.com/envoy.config.route.v3.VirtualHost');
    for (const type of Object.values(envoyStream?.types ?? {})) expect(type.ackedVersion).toBe(type.sentVersion);
    expect(nacks['e2e-envoy'] ?? []).toEqual([]);
  });
});

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
