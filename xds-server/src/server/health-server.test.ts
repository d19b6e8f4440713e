import { afterEach, describe, expect, it } from 'vitest';
import { HealthServer } from './health-server.js';
import { MetricsRegistry } from './metrics.js';

let server: HealthServer | undefined;
afterEach(async () => server?.close());

describe('HealthServer', () => {
  it('serves liveness, readiness, Prometheus metrics and the xDS debug view', async () => {
    let ready = false;
    const metrics = new MetricsRegistry();
    metrics.counter('portico_test_total', 'A test counter.').inc({ type_url: 'a"b' }, 2);
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
});
