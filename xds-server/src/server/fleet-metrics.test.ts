// node.cluster is chosen by whoever connects: series labelled by fleet must go when the fleet
// does, and a name that cannot be an IngressClass must not become a label value.
import { afterEach, describe, expect, it } from 'vitest';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import { startTestServer, waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { MetricsRegistry } from './metrics.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(): Promise<TestServer> {
  const s = await startTestServer();
  cleanups.push(() => s.server.shutdown(200));
  return s;
}

/** Connects, takes the (empty or not) CDS response and NACKs it, so the fleet has a NACK series too. */
async function connectAndNack(s: TestServer, id: string, cluster: string): Promise<RawAdsClient> {
  const c = new RawAdsClient(s.address, { id, cluster });
  cleanups.push(() => c.close());
  c.subscribe('cluster');
  c.nack(await c.next('cluster'), 'rejected');
  await waitFor(() => s.server.nacks()[id] !== undefined);
  return c;
}

const seriesOf = (s: TestServer, fleet: string): string[] => s.server.metrics.render().split('\n').filter((line) => line.includes(`fleet="${fleet}"`));

describe('per-fleet metric series', () => {
  it('removes the series of fleets nobody published once their last stream closes', async () => {
    const s = await server();
    const ghosts = await Promise.all(['ghost-1', 'ghost-2'].map((fleet, i) => connectAndNack(s, `envoy-${i}`, fleet)));
    const before = s.server.metrics.seriesCount();
    expect(seriesOf(s, 'ghost-1')).toEqual([
      'portico_xds_streams{fleet="ghost-1"} 1',
      'portico_xds_nacks_total{type_url="type.googleapis.com/envoy.config.cluster.v3.Cluster",fleet="ghost-1"} 1',
    ]);

    ghosts[0]?.close();
    await waitFor(() => seriesOf(s, 'ghost-1').length === 0, 2_000, 'ghost-1 series to go');
    expect(seriesOf(s, 'ghost-2')).toHaveLength(2);
    ghosts[1]?.close();
    await waitFor(() => seriesOf(s, 'ghost-2').length === 0, 2_000, 'ghost-2 series to go');
    expect(s.server.metrics.seriesCount()).toBe(before - 4);
  });

  it('keeps a removed fleet\'s series while a stream still uses it, and removes them with its last stream', async () => {
    const s = await server();
    s.server.publishFleet('nginx', fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } }));
    const c = await connectAndNack(s, 'envoy-n', 'nginx');
    s.server.removeFleet('nginx');
    expect(seriesOf(s, 'nginx')).toContain('portico_xds_publishes_total{fleet="nginx",changed="true"} 1');
    c.close();
    await waitFor(() => seriesOf(s, 'nginx').length === 0, 2_000, 'nginx series to go');

    // A published fleet nobody uses keeps its series (a 0 stream gauge is worth seeing), until removed.
    s.server.publishFleet('idle', fleetResources({ routes: {}, endpoints: {} }));
    expect(seriesOf(s, 'idle')).toEqual(['portico_xds_streams{fleet="idle"} 0', 'portico_xds_publishes_total{fleet="idle",changed="true"} 1']);
    s.server.removeFleet('idle');
    expect(seriesOf(s, 'idle')).toEqual([]);
  });

  it('labels fleets whose names cannot be an IngressClass "<invalid>", and removes that series with the last of them', async () => {
    const s = await server();
    const bell = await connectAndNack(s, 'envoy-bell', 'bad\u0007fleet');
    const newline = await connectAndNack(s, 'envoy-newline', 'bad\nfleet');
    const text = s.server.metrics.render();
    expect(text).not.toContain('bad\u0007fleet');
    expect(text).not.toContain('bad\\nfleet');
    expect(seriesOf(s, '<invalid>')).toContain('portico_xds_streams{fleet="<invalid>"} 2');

    bell.close();
    await waitFor(() => s.server.streams().length === 1);
    expect(seriesOf(s, '<invalid>')).toContain('portico_xds_streams{fleet="<invalid>"} 1');
    newline.close();
    await waitFor(() => seriesOf(s, '<invalid>').length === 0, 2_000, '<invalid> series to go');
  });
});

describe('MetricsRegistry', () => {
  it('removes series by label and never creates one by reading it', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('portico_test_total', 'A test counter.');
    counter.inc({ fleet: 'a', type_url: 'x' });
    counter.inc({ fleet: 'b', type_url: 'x' });
    expect(counter.value({ fleet: 'c' })).toBe(0);
    expect(registry.seriesCount()).toBe(2);
    expect(counter.remove({ fleet: 'a' })).toBe(1);
    expect(registry.render()).toBe('# HELP portico_test_total A test counter.\n# TYPE portico_test_total counter\nportico_test_total{fleet="b",type_url="x"} 1\n');
  });
});
