// node.cluster is chosen by whoever connects: series labelled by fleet must go when the fleet
// does, and a name that cannot be an IngressClass must not become a label value.
import { describe, expect, it } from 'vitest';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { MetricsRegistry } from '../../../observability/src/index.js';
import { testScope } from '../test-support/test-scope.js';

const { defer, start } = testScope();

async function server(): Promise<TestServer> {
  const s = await start();
  return s;
}

/** Connects, takes the (empty or not) CDS response and NACKs it, so the fleet has a NACK series too. */
async function connectAndNack(s: TestServer, id: string, cluster: string): Promise<RawAdsClient> {
  const c = new RawAdsClient(s.address, { id, cluster });
  defer(() => c.close());
  c.subscribe('cluster');
  c.nack(await c.next('cluster'), 'rejected');
  await waitFor(() => s.server.nacks()[id] !== undefined);
  return c;
}

const seriesOf = async (s: TestServer, fleet: string): Promise<string[]> => (await s.server.metrics.render()).split('\n').filter((line) => line.includes(`fleet="${fleet}"`));

describe('per-fleet metric series', () => {
  it('removes the series of fleets nobody published once their last stream closes', async () => {
    const s = await server();
    const ghosts = await Promise.all(['ghost-1', 'ghost-2'].map((fleet, i) => connectAndNack(s, `envoy-${i}`, fleet)));
    const before = s.server.metrics.seriesCount();
    expect(await seriesOf(s, 'ghost-1')).toEqual([
      'portico_xds_streams{fleet="ghost-1"} 1',
      'portico_xds_connected_clients{fleet="ghost-1"} 1',
      'portico_xds_nacks_total{type_url="type.googleapis.com/envoy.config.cluster.v3.Cluster",fleet="ghost-1"} 1',
    ]);

    ghosts[0]?.close();
    await waitFor(async () => (await seriesOf(s, 'ghost-1')).length === 0, 2_000, 'ghost-1 series to go');
    expect(await seriesOf(s, 'ghost-2')).toHaveLength(3);
    ghosts[1]?.close();
    await waitFor(async () => (await seriesOf(s, 'ghost-2')).length === 0, 2_000, 'ghost-2 series to go');
    expect(s.server.metrics.seriesCount()).toBe(before - 6);
  });

  it('keeps a removed fleet\'s series while a stream still uses it, and removes them with its last stream', async () => {
    const s = await server();
    s.server.publishFleet('nginx', fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } }));
    const c = await connectAndNack(s, 'envoy-n', 'nginx');
    s.server.removeFleet('nginx');
    expect(await seriesOf(s, 'nginx')).toContain('portico_xds_publishes_total{fleet="nginx",changed="true"} 1');
    c.close();
    await waitFor(async () => (await seriesOf(s, 'nginx')).length === 0, 2_000, 'nginx series to go');

    // A published fleet nobody uses keeps its series (a 0 stream gauge is worth seeing), until removed.
    s.server.publishFleet('idle', fleetResources({ routes: {}, endpoints: {} }));
    expect(await seriesOf(s, 'idle')).toEqual(['portico_xds_streams{fleet="idle"} 0', 'portico_xds_connected_clients{fleet="idle"} 0', 'portico_xds_publishes_total{fleet="idle",changed="true"} 1']);
    s.server.removeFleet('idle');
    expect(await seriesOf(s, 'idle')).toEqual([]);
  });

  it('labels fleets whose names cannot be an IngressClass "<invalid>", and removes that series with the last of them', async () => {
    const s = await server();
    const bell = await connectAndNack(s, 'envoy-bell', 'bad\u0007fleet');
    const newline = await connectAndNack(s, 'envoy-newline', 'bad\nfleet');
    const text = await s.server.metrics.render();
    expect(text).not.toContain('bad\u0007fleet');
    expect(text).not.toContain('bad\\nfleet');
    expect(await seriesOf(s, '<invalid>')).toContain('portico_xds_streams{fleet="<invalid>"} 2');
    expect(await seriesOf(s, '<invalid>')).toContain('portico_xds_connected_clients{fleet="<invalid>"} 2');

    bell.close();
    await waitFor(() => s.server.streams().length === 1);
    expect(await seriesOf(s, '<invalid>')).toContain('portico_xds_streams{fleet="<invalid>"} 1');
    newline.close();
    await waitFor(async () => (await seriesOf(s, '<invalid>')).length === 0, 2_000, '<invalid> series to go');
  });
});

describe('xDS histograms', () => {
  it('observes the time from a response to its ACK, per type', async () => {
    const s = await server();
    s.server.publishFleet('nginx', fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } }));
    const c = new RawAdsClient(s.address, { id: 'envoy-a', cluster: 'nginx' });
    defer(() => c.close());
    c.subscribe('cluster');
    c.ack(await c.next('cluster'));
    const count = 'portico_xds_ack_latency_seconds_count{type_url="type.googleapis.com/envoy.config.cluster.v3.Cluster"} 1';
    await waitFor(async () => (await s.server.metrics.render()).includes(count), 2_000, 'the ACK to be observed');
    expect(await s.server.metrics.render()).toContain('portico_xds_connected_clients{fleet="nginx"} 1');
  });
});

describe('MetricsRegistry', () => {
  it('removes series by label and never creates one by reading it', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('portico_test_total', 'A test counter.', ['fleet', 'type_url']);
    counter.inc({ fleet: 'a', type_url: 'x' });
    counter.inc({ fleet: 'b', type_url: 'x' });
    expect(await counter.value({ fleet: 'c' })).toBe(0);
    expect(await counter.value({ type_url: 'x', fleet: 'b' })).toBe(1);
    expect(registry.seriesCount()).toBe(2);
    expect(counter.remove({ fleet: 'a' })).toBe(1);
    expect(await registry.render()).toBe('# HELP portico_test_total A test counter.\n# TYPE portico_test_total counter\nportico_test_total{fleet="b",type_url="x"} 1\n');
  });

  it('removes histogram series by part of their labels, and keeps registries apart', async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('portico_test_seconds', 'A test histogram.', ['fleet', 'type_url'], [0.1, 1]);
    histogram.observe({ fleet: 'a', type_url: 'x' }, 0.05);
    histogram.observe({ fleet: 'a', type_url: 'y' }, 5);
    histogram.observe({ fleet: 'b', type_url: 'x' }, 0.5);
    expect(await histogram.count({ fleet: 'a', type_url: 'x' })).toBe(1);
    expect(histogram.remove({ fleet: 'a' })).toBe(2);
    const text = await registry.render();
    expect(text).toContain('portico_test_seconds_bucket{le="1",fleet="b",type_url="x"} 1');
    expect(text).not.toContain('fleet="a"');
    // A second registry may define the same names: tests and embedders start many servers.
    expect(() => new MetricsRegistry().histogram('portico_test_seconds', 'Again.')).not.toThrow();
  });

  it('adds process and Node.js series prefixed portico_ when asked', async () => {
    const registry = new MetricsRegistry();
    expect(await registry.render()).not.toContain('portico_process_resident_memory_bytes');
    registry.collectProcessMetrics();
    registry.collectProcessMetrics();
    const text = await registry.render();
    expect(text).toContain('portico_process_cpu_seconds_total');
    expect(text).toContain('portico_nodejs_heap_size_used_bytes');
    if (process.platform === 'linux') expect(text).toMatch(/^portico_process_resident_memory_bytes \d+/m);
  });
});
