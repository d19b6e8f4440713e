import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from './health-server.js';
import { MetricsRegistry } from '../../../observability/src/index.js';

let server: HealthServer | undefined;
afterEach(async () => server?.close());

describe('HealthServer', () => {
  it('serves liveness, readiness, Prometheus metrics and the xDS debug view', async () => {
    let ready = false;
    const metrics = new MetricsRegistry();
    metrics.counter('portico_test_total', 'A test counter.', ['type_url']).inc({ type_url: 'a"b' }, 2);
    server = new HealthServer({ ready: () => ready, metrics: () => metrics.render(), debug: () => ({ streams: [] }) });
    const port = await server.listen('127.0.0.1:0');
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`);
      return { status: response.status, body: await response.text() };
    };
    expect(await get('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await get('/readyz')).status).toBe(503);
    ready = true;
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).body).toBe('# HELP portico_test_total A test counter.\n# TYPE portico_test_total counter\nportico_test_total{type_url="a\\"b"} 2\n');
    expect(JSON.parse((await get('/debug/xds')).body)).toEqual({ streams: [] });
    expect((await get('/nope')).status).toBe(404);
  });

  it('cuts off /debug/xds readers that stop reading, so they cannot hold the render slots', async () => {
    // 1,000 items of 2 KiB, twice the default stream list: more than loopback socket buffers hold.
    const big = { streams: Array.from({ length: 1_000 }, (_, i) => ({ id: i, a: 'x'.repeat(2_000), b: 'y'.repeat(2_000), c: 'z'.repeat(2_000), d: 'w'.repeat(2_000), e: 'v'.repeat(2_000) })) };
    server = new HealthServer({ ready: () => true, metrics: () => '', debug: () => big }, undefined, 200);
    const port = await server.listen('127.0.0.1:0');
    // Two clients that ask and never read take both render slots...
    const stalled = [0, 1].map(() => {
      const socket = connect(port, '127.0.0.1', () => socket.write('GET /debug/xds HTTP/1.1\r\nHost: x\r\n\r\n'));
      socket.pause();
      return socket;
    });
    // (Polled rather than slept: on a loaded machine the two requests may take a while to arrive.)
    const statusWithin = async (want: number, ms: number): Promise<number> => {
      const deadline = Date.now() + ms;
      let status = 0;
      while (Date.now() < deadline && (status = (await fetch(`http://127.0.0.1:${port}/debug/xds`, { signal: AbortSignal.timeout(ms) }).then(async (r) => (await r.arrayBuffer(), r.status)))) !== want) await new Promise((resolve) => setTimeout(resolve, 20));
      return status;
    };
    expect(await statusWithin(503, 5_000)).toBe(503);
    // ...until the drain timeout (200 ms) cuts them off; then the page is served again.
    expect(await statusWithin(200, 5_000)).toBe(200);
    const response = await fetch(`http://127.0.0.1:${port}/debug/xds`);
    expect(response.status).toBe(200);
    expect((JSON.parse(await response.text()) as { streams: unknown[] }).streams.length).toBeGreaterThan(0);
    for (const socket of stalled) socket.destroy();
  });
});
