// /debug/config_dump: what a fleet, or one node's streams, receive, as proto3 JSON; Secrets
// redacted; unknown fleets and nodes are 404; the output is bounded like /debug/xds.
import { describe, expect, it } from 'vitest';
import { typeUrlOf } from '../protos/envoy-protos.js';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import type { TestServer } from '../test-support/test-server.js';
import { CONFIG_DUMP_BOUNDS } from './bounded-json.js';
import type { JsonBounds } from './bounded-json.js';
import { HealthServer } from './health-server.js';
import { configDump } from './config-dump.js';
import { testScope } from '../test-support/test-scope.js';

const { defer, start } = testScope();

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n';

async function withSecretFleet(): Promise<TestServer> {
  const s = await start();
  const resources = fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } });
  resources.secrets = [{ name: 'default/tls', tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: PRIVATE_KEY } } }];
  s.server.publishFleet('nginx', resources);
  return s;
}

async function serve(s: TestServer, bounds: Partial<JsonBounds> = {}): Promise<(query: string) => Promise<{ status: number; body: string }>> {
  const health = new HealthServer(
    { ready: () => true, metrics: () => s.server.metrics.render(), debug: () => ({}), configDump: (fleet, node) => s.server.configDump(fleet, node) },
    undefined,
    undefined,
    { ...CONFIG_DUMP_BOUNDS, ...bounds },
  );
  const port = await health.listen('127.0.0.1:0');
  defer(() => health.close());
  return async (query) => {
    const response = await fetch(`http://127.0.0.1:${port}/debug/config_dump${query}`);
    return { status: response.status, body: await response.text() };
  };
}

interface Dump {
  fleet: string;
  sotw?: Record<string, { version: string; resources: Array<Record<string, unknown>> }>;
  streams?: Array<{ protocol: string; types: Record<string, { resources: Array<Record<string, unknown>>; subscribed: string[] }> }>;
}

describe('/debug/config_dump', () => {
  it("shows a fleet's resources as proto3 JSON with '@type', Secrets redacted, never the key", async () => {
    const s = await withSecretFleet();
    const get = await serve(s);
    const { status, body } = await get('?fleet=nginx');
    expect(status).toBe(200);
    expect(body).not.toContain('TOPSECRETKEYMATERIAL');
    const dump = JSON.parse(body) as Dump;
    expect(dump.fleet).toBe('nginx');
    const secrets = dump.sotw?.[typeUrlOf('secret')]?.resources ?? [];
    expect(secrets).toEqual([
      {
        '@type': typeUrlOf('secret'),
        name: 'default/tls',
        tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: '<redacted>' } },
      },
    ]);
    const routes = dump.sotw?.[typeUrlOf('routeConfiguration')];
    expect(routes?.version).toBe(s.server.fleets()[0]?.versions.routeConfiguration);
    expect(JSON.stringify(routes)).toContain('a.example.com');
    expect(dump.sotw?.[typeUrlOf('listener')]?.resources[0]?.['@type']).toBe(typeUrlOf('listener'));
  });

  it("shows what one node's open streams subscribed to and receive", async () => {
    const s = await withSecretFleet();
    const get = await serve(s);
    const client = new RawAdsClient(s.address, { id: 'envoy-1', cluster: 'nginx' });
    defer(() => client.close());
    client.subscribe('cluster');
    await client.next('cluster');
    const { status, body } = await get('?fleet=nginx&node=envoy-1');
    expect(status).toBe(200);
    const dump = JSON.parse(body) as Dump;
    expect(dump.streams).toHaveLength(1);
    const clusters = dump.streams?.[0]?.types[typeUrlOf('cluster')];
    expect(clusters?.subscribed).toEqual(['*']);
    expect(clusters?.resources.map((r) => r['name'])).toEqual(['default/a/80']);
    expect(Object.keys(dump.streams?.[0]?.types ?? {})).toEqual([typeUrlOf('cluster')]);
  });

  it('answers 404 for an unknown fleet or node, and 400 without a fleet', async () => {
    const s = await withSecretFleet();
    const get = await serve(s);
    expect((await get('?fleet=nope')).status).toBe(404);
    expect((await get('?fleet=nginx&node=nobody')).status).toBe(404);
    expect((await get('')).status).toBe(400);
  });

  it('is bounded, and still JSON', async () => {
    const s = await withSecretFleet();
    const many = fleetResources({
      routes: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`host-${i}.example.com`, `default/s${i}/80`])),
      endpoints: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`default/s${i}/80`, [50001 + i]])),
    });
    s.server.publishFleet('big', many);
    const get = await serve(s, { maxChars: 20_000, chunkChars: 1_000, maxArrayItems: 50 });
    const { status, body } = await get('?fleet=big');
    expect(status).toBe(200);
    expect(body.length).toBeLessThan(25_000);
    expect(body).toContain('more items not shown');
    expect(() => JSON.parse(body) as unknown).not.toThrow();
  });

  it('decodes no more than its budget: what is beyond it is counted, not converted', async () => {
    const s = await withSecretFleet();
    s.server.publishFleet('big', fleetResources({
      routes: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`host-${i}.example.com`, `default/s${i}/80`])),
      endpoints: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`default/s${i}/80`, [50001 + i]])),
    }));
    const whole = s.server.configDump('big');
    const clusters = whole?.sotw?.[typeUrlOf('cluster')];
    expect(clusters?.resources).toHaveLength(300);
    expect(clusters?.omitted).toBeUndefined();
    // The same fleet with a budget of a few resources' bytes.
    const snapshot = (s.server as unknown as { cache: { get(fleet: string): Parameters<typeof configDump>[1] } }).cache.get('big');
    const small = configDump('big', snapshot, [], undefined, 2_000);
    const shown = Object.values(small?.sotw ?? {}).reduce((n, t) => n + t.resources.length, 0);
    const omitted = Object.values(small?.sotw ?? {}).reduce((n, t) => n + (t.omitted ?? 0), 0);
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(100);
    expect(shown + omitted).toBe(Object.values(whole?.sotw ?? {}).reduce((n, t) => n + t.resources.length, 0));
  });
});
