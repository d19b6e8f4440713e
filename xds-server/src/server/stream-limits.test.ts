// What one client may make the server hold: streams per node id, node id and cluster length,
// subscribed names, request size. Over a limit, the stream ends with a status naming what it
// exceeded (and a log line), instead of being served at any cost.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import type { RawAdsClient } from '../test-support/raw-ads-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { testScope } from '../test-support/test-scope.js';

const { start, sotwClient, deltaClient } = testScope();

async function server(options: Parameters<typeof start>[0] = {}): Promise<TestServer> {
  const s = await start(options);
  s.server.publishFleet('nginx', fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } }));
  return s;
}

const sotw = (s: TestServer, id: string, cluster = 'nginx'): RawAdsClient => sotwClient(s.address, { id, cluster });

describe('stream limits', () => {
  it('refuses a stream beyond maxStreamsPerNode with RESOURCE_EXHAUSTED and a log line, and accepts one once another closed', async () => {
    const s = await server({ maxStreamsPerNode: 2 });
    const [a, b, c] = [sotw(s, 'shared'), sotw(s, 'shared'), sotw(s, 'shared')];
    for (const client of [a, b]) {
      client.subscribe('cluster');
      await client.next('cluster');
    }
    c.subscribe('cluster');
    const refused = await c.ended;
    expect(refused.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(refused.details).toContain('node.id "shared" already has 2 open streams');
    expect(s.events('xds.stream_refused')).toEqual([expect.objectContaining({ nodeId: 'shared', code: 'RESOURCE_EXHAUSTED' })]);
    expect(await s.server.metrics.render()).toContain('portico_xds_streams_refused_total{reason="streams_per_node"} 1');
    expect(s.server.streams()).toHaveLength(2);

    a.close();
    await waitFor(() => s.server.streams().length === 1);
    const d = sotw(s, 'shared');
    d.subscribe('cluster');
    expect((await d.next('cluster')).resources).toHaveLength(1);
  });

  it('refuses an over-long node.cluster or node.id with INVALID_ARGUMENT naming the field', async () => {
    const s = await server();
    const longCluster = sotw(s, 'envoy-1', 'c'.repeat(300));
    longCluster.subscribe('cluster');
    const clusterStatus = await longCluster.ended;
    expect(clusterStatus.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(clusterStatus.details).toContain('node.cluster is 300 characters long; at most 253');

    const longId = sotw(s, 'i'.repeat(2_000), 'nginx');
    longId.subscribe('cluster');
    const idStatus = await longId.ended;
    expect(idStatus.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(idStatus.details).toContain('node.id is 2000 characters long; at most 1024');
    expect(s.events('xds.bad_request').map((l) => l['code'])).toEqual(['INVALID_ARGUMENT', 'INVALID_ARGUMENT']);
    // Neither value made it into a log line, a metric label or the stream list.
    expect(JSON.stringify(s.logs)).not.toContain('c'.repeat(254));
    expect(await s.server.metrics.render()).not.toContain('c'.repeat(254));
    expect(s.server.streams()).toEqual([]);
  });

  it('refuses subscriptions over maxSubscribedNames, SotW and Delta', async () => {
    const s = await server({ streamLimits: { maxSubscribedNames: 5 } });
    const names = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    const ok = sotw(s, 'grpc-ok');
    ok.subscribe('clusterLoadAssignment', names(5, 'a'));
    await ok.quietFor(100);
    expect(s.server.streams()).toHaveLength(1);

    const greedy = sotw(s, 'grpc-greedy');
    greedy.subscribe('clusterLoadAssignment', names(3, 'a'));
    greedy.subscribe('listener', names(3, 'l'));
    const status = await greedy.ended;
    expect(status.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(status.details).toContain('subscribed to 6 resource names; at most 5');

    const delta = deltaClient(s.address, { id: 'delta-greedy', cluster: 'nginx' });
    delta.subscribe('clusterLoadAssignment', names(4, 'a'));
    delta.subscribe('clusterLoadAssignment', [...names(4, 'a'), 'a-4']); // re-subscribing a name costs nothing
    delta.subscribe('clusterLoadAssignment', ['b-0']);
    expect((await delta.ended).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(await s.server.metrics.render()).toContain('portico_xds_streams_refused_total{reason="limit_exceeded"} 2');
  });

  it('ends a stream whose request is over maxRequestBytes with RESOURCE_EXHAUSTED', async () => {
    const s = await server({ maxRequestBytes: 64 * 1024 });
    const c = sotw(s, 'envoy-big');
    c.subscribe('cluster');
    const cds = await c.next('cluster');
    c.nack(cds, 'x'.repeat(100 * 1024));
    expect((await c.ended).code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await waitFor(() => s.server.streams().length === 0);
  });

  it('logs a made-up type URL once, shortened, and at most a few of them per stream', async () => {
    const s = await server();
    const c = sotw(s, 'envoy-types');
    for (let i = 0; i < 20; i++) c.send({ type_url: `type.googleapis.com/made.up.Type${i}${'z'.repeat(1_000)}` });
    c.send({ type_url: 'type.googleapis.com/made.up.Type0' + 'z'.repeat(1_000) });
    c.subscribe('cluster');
    await c.next('cluster');
    const logged = s.events('xds.unsupported_type');
    expect(logged).toHaveLength(8);
    expect(Math.max(...logged.map((l) => String(l['typeUrl']).length))).toBeLessThan(320);
  });
});
