// /debug/xds as portico serve wires it (fleets, streams, NACKs): bounded whatever clients send,
// and never showing Secret material.
import { describe, expect, it } from 'vitest';
import { typeUrlOf } from '../protos/envoy-protos.js';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { DEBUG_JSON_BOUNDS } from './bounded-json.js';
import type { JsonBounds } from './bounded-json.js';
import { HealthServer } from './health-server.js';
import { testScope } from '../test-support/test-scope.js';

const { defer, start } = testScope();

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nTOPSECRETKEYMATERIAL\n-----END PRIVATE KEY-----\n';

async function serveDebug(s: TestServer, bounds: Partial<JsonBounds> = {}): Promise<() => Promise<{ status: number; body: string; ms: number }>> {
  const health = new HealthServer(
    { ready: () => true, metrics: () => s.server.metrics.render(), debug: () => ({ fleets: s.server.fleets(), streams: s.server.streams(), nacks: s.server.nacks() }) },
    { ...DEBUG_JSON_BOUNDS, ...bounds },
  );
  const port = await health.listen('127.0.0.1:0');
  defer(() => health.close());
  return async () => {
    const started = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/debug/xds`);
    return { status: response.status, body: await response.text(), ms: performance.now() - started };
  };
}

describe('/debug/xds', () => {
  it('stays small with streams NACKing megabyte messages, and shows Secret names and versions, never their content', async () => {
    const s = await start();
    const resources = fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } });
    resources.secrets = [{ name: 'default/tls', tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: PRIVATE_KEY } } }];
    s.server.publishFleet('nginx', resources);
    const get = await serveDebug(s);

    const clients = Array.from({ length: 10 }, (_, i) => {
      const c = new RawAdsClient(s.address, { id: `envoy-${i}`, cluster: 'nginx' });
      defer(() => c.close());
      return c;
    });
    await Promise.all(clients.map(async (c, i) => {
      c.subscribe('secret', ['default/tls']);
      c.nack(await c.next('secret'), `secret ${i} rejected: ${'e'.repeat(1_000_000)}`, ['default/tls']);
    }));
    await waitFor(() => Object.keys(s.server.nacks()).length === 10);

    const { status, body } = await get();
    expect(status).toBe(200);
    expect(body.length).toBeLessThan(100_000);
    expect(body).not.toContain('TOPSECRETKEYMATERIAL');
    const view = JSON.parse(body) as { fleets: { versions: Record<string, string> }[]; streams: { types: Record<string, { subscribed: string[]; lastNack: { message: string } }> }[] };
    expect(view.fleets[0]?.versions['secret']).toMatch(/^[0-9a-f]+$/);
    const sds = view.streams[0]?.types[typeUrlOf('secret')];
    expect(sds?.subscribed).toEqual(['default/tls']);
    expect(sds?.lastNack.message).toMatch(/^secret \d rejected: e+… \[truncated: 10000\d\d characters in all\]$/);
  });

  it('lists at most maxArrayItems streams, with a count of the rest', async () => {
    const s = await start();
    const get = await serveDebug(s, { maxArrayItems: 5 });
    for (let i = 0; i < 8; i++) {
      const c = new RawAdsClient(s.address, { id: `envoy-${i}`, cluster: 'nowhere' });
      defer(() => c.close());
      c.subscribe('cluster');
      await c.next('cluster');
    }
    const view = JSON.parse((await get()).body) as { streams: unknown[] };
    expect(view.streams).toHaveLength(6);
    expect(view.streams[5]).toBe('… 3 more items not shown');
  });
});
