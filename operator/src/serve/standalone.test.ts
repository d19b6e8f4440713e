// Standalone mode in-process, with a raw ADS client acting as Envoy: folder in, xDS out.
import { execFileSync } from 'node:child_process';
import { cpSync, linkSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../observability/src/index.js';
import type { LogFields } from '../../../observability/src/index.js';
import { RawAdsClient } from '../../../xds-server/src/test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../../../xds-server/src/test-support/raw-ads-client.js';
import { startStandalone } from './standalone.js';
import type { Standalone, StandaloneOptions } from './standalone.js';

const SEED = new URL('../../../examples/seed', import.meta.url).pathname;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(prepare?: (dir: string) => void, timing: Pick<StandaloneOptions, 'debounceMs' | 'quietMs'> = {}): Promise<{ dir: string; standalone: Standalone; logs: LogFields[]; get: (path: string) => Promise<{ status: number; body: string }> }> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-standalone-'));
  cpSync(SEED, dir, { recursive: true });
  prepare?.(dir);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const logs: LogFields[] = [];
  const logger = createLogger({ write: (line) => void logs.push(JSON.parse(line) as LogFields) });
  const standalone = await startStandalone({ manifests: dir, xdsAddress: '127.0.0.1:0', healthAddress: '127.0.0.1:0', logger, pollIntervalMs: 200, ...timing });
  cleanups.push(() => standalone.stop(500));
  const get = async (path: string) => {
    const response = await fetch(`http://127.0.0.1:${standalone.healthPort}${path}`);
    return { status: response.status, body: await response.text() };
  };
  return { dir, standalone, logs, get };
}

/** Acts as Envoy for `ms`: takes every LDS, CDS and RDS response, ACKs it, and returns them all. */
async function everyPush(client: RawAdsClient, ms: number): Promise<ReceivedResponse[]> {
  const pushes: ReceivedResponse[] = [];
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return pushes;
    let response: ReceivedResponse;
    try {
      response = await client.next(undefined, left);
    } catch {
      return pushes;
    }
    pushes.push(response);
    client.ack(response, response.typeUrl.endsWith('RouteConfiguration') ? ['http'] : []);
  }
}

function envoy(standalone: Standalone): RawAdsClient {
  const client = new RawAdsClient(`127.0.0.1:${standalone.xdsPort}`, { id: 'envoy-0', cluster: 'nginx' });
  cleanups.push(() => client.close());
  return client;
}

describe('standalone mode (portico serve)', () => {
  it('serves the seed scenario to Envoy and reports ready', async () => {
    const { standalone, get } = await start();
    const client = envoy(standalone);
    client.subscribe('cluster');
    const cds = await client.next('cluster');
    expect(cds.resources.map((r) => r.name)).toEqual(['default/nginx1/80', 'default/nginx2/80']);
    client.ack(cds);
    client.subscribe('listener');
    expect((await client.next('listener')).resources.map((r) => r.name)).toEqual(['http']);
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/metrics')).body).toContain('portico_config_reloads_total{result="applied"} 1');
    expect(standalone.summaries()[0]?.grpcTargets).toEqual(['nginx1.example.com', 'nginx2.example.com', 'portico:any-host']);
  });

  it('pushes an edited endpoint within a second', async () => {
    const { dir, standalone } = await start();
    const client = envoy(standalone);
    client.subscribe('clusterLoadAssignment', ['default/nginx2/80']);
    const first = await client.next('clusterLoadAssignment');
    client.ack(first, ['default/nginx2/80']);
    const file = join(dir, 'endpoint-slices.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('10.0.2.10', '10.0.2.99'));
    const started = Date.now();
    const update = await client.next('clusterLoadAssignment', 1_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(JSON.stringify(update.resources[0]?.object)).toContain('10.0.2.99');
  });

  it('translates only an edited Ingress again (incremental), and everything when another kind changed', async () => {
    // The seed's Ingress has a default backend (an anchor: a change of it is translated whole).
    const shop = (path: string): string => `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: default}\nspec:\n  ingressClassName: nginx\n  rules:\n  - host: shop.example.com\n    http: {paths: [{path: ${path}, pathType: Prefix, backend: {service: {name: nginx2, port: {number: 80}}}}]}\n`;
    const { dir, standalone, get } = await start((folder) => writeFileSync(join(folder, 'shop.yaml'), shop('/')));
    const client = envoy(standalone);
    client.subscribe('routeConfiguration', ['http']);
    client.ack(await client.next('routeConfiguration'), ['http']);
    writeFileSync(join(dir, 'shop.yaml'), shop('/shop'));
    const update = await client.next('routeConfiguration', 3_000);
    expect(JSON.stringify(update.resources[0]?.object)).toContain('/shop');
    client.ack(update, ['http']);
    const file = join(dir, 'endpoint-slices.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('10.0.2.10', '10.0.2.99'));
    const metrics = async (): Promise<string> => (await get('/metrics')).body;
    for (let i = 0; i < 50 && !(await metrics()).includes('reason="other-kinds"'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const body = await metrics();
    expect(body).toContain('portico_translations_total{path="full",reason="first"} 1');
    expect(body).toContain('portico_translations_total{path="incremental",reason=""} 1');
    expect(body).toContain('portico_translations_total{path="full",reason="other-kinds"} 1');
  });

  it('ends streams with OK and stops serving on stop()', async () => {
    const { standalone, get } = await start();
    const client = envoy(standalone);
    client.subscribe('cluster');
    await client.next('cluster');
    await standalone.stop(1_000);
    expect((await client.ended).code).toBe(grpc.status.OK);
    await expect(get('/healthz')).rejects.toThrow();
  });

  it('reloads once per edit: the fallback poller does not report again what a reload already read', async () => {
    const { dir, logs } = await start();
    const applied = (): number => logs.filter((l) => l['event'] === 'config.applied').length;
    expect(applied()).toBe(1);
    // Written aside and renamed in: one atomic change, as editors and kubectl-style tools do.
    const slices = readFileSync(join(dir, 'endpoint-slices.yaml'), 'utf8').replace('10.0.2.10', '10.0.2.20');
    writeFileSync(join(dir, '.endpoint-slices.tmp'), slices);
    renameSync(join(dir, '.endpoint-slices.tmp'), join(dir, 'endpoint-slices.yaml'));
    // Several poll intervals (200 ms) after the debounced reload.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(applied()).toBe(2);
  });

  it('looks only at the entries the watch named; a change no watch saw is found by the poll, which walks the folder', async () => {
    const { dir, logs } = await start(undefined, { quietMs: 0 });
    const applied = (): LogFields[] => logs.filter((l) => l['event'] === 'config.applied');
    const until = async (count: number): Promise<LogFields> => {
      const deadline = Date.now() + 3_000;
      while (applied().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(applied()).toHaveLength(count);
      return applied()[count - 1]!;
    };
    expect((await until(1))['walked']).toBe(true); // the first load has nothing to update
    const slices = readFileSync(join(dir, 'endpoint-slices.yaml'), 'utf8').replace('10.0.2.10', '10.0.2.20');
    writeFileSync(join(dir, '.endpoint-slices.tmp'), slices);
    renameSync(join(dir, '.endpoint-slices.tmp'), join(dir, 'endpoint-slices.yaml'));
    expect(await until(2)).toMatchObject({ walked: false, changed: ['nginx'] });
    // Edited through a hard link in another folder: no event reaches the folder's watch.
    const outside = mkdtempSync(join(tmpdir(), 'portico-outside-'));
    cleanups.push(() => rmSync(outside, { recursive: true, force: true }));
    linkSync(join(dir, 'ingress.yaml'), join(outside, 'ingress.yaml'));
    writeFileSync(join(outside, 'ingress.yaml'), readFileSync(join(dir, 'ingress.yaml'), 'utf8').replace('nginx2.example.com', 'nginx3.example.com'));
    expect(await until(3)).toMatchObject({ walked: true, changed: ['nginx'] });
  });

  it('never pushes a file caught between truncate and write: no listener, cluster or virtual host goes missing', async () => {
    // Reloads start 20 ms after an event, well before the rewrite; only the quiet period can save it.
    const { dir, standalone } = await start(undefined, { debounceMs: 20, quietMs: 500 });
    const client = envoy(standalone);
    client.subscribe('listener');
    client.subscribe('cluster');
    client.subscribe('routeConfiguration', ['http']);
    const first = await everyPush(client, 500);
    const count = (pushes: ReceivedResponse[], type: string, of: (r: ReceivedResponse) => number): number[] => pushes.filter((p) => p.typeUrl.endsWith(type)).map(of);
    const hosts = (r: ReceivedResponse): number => r.resources.reduce((sum, table) => sum + ((table.object['virtual_hosts'] as unknown[] | undefined)?.length ?? 0), 0);
    expect(count(first, 'Listener', (r) => r.resources.length)).toEqual([1]);
    expect(count(first, 'Cluster', (r) => r.resources.length)).toEqual([2]);
    expect(count(first, 'RouteConfiguration', hosts)).toEqual([3]);

    // An editor saving in place: truncate, then write a while later (within the quiet period).
    const ingress = join(dir, 'ingress.yaml');
    const ingressClass = join(dir, 'ingress-class.yaml');
    const [ingressText, classText] = [readFileSync(ingress, 'utf8'), readFileSync(ingressClass, 'utf8')];
    truncateSync(ingressClass, 0);
    truncateSync(ingress, 0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    writeFileSync(ingressClass, classText);
    writeFileSync(ingress, ingressText.replace('nginx2.example.com', 'nginx3.example.com'));

    const later = await everyPush(client, 2_500);
    expect(count(later, 'Listener', (r) => r.resources.length).filter((n) => n < 1)).toEqual([]);
    expect(count(later, 'Cluster', (r) => r.resources.length).filter((n) => n < 2)).toEqual([]);
    // The rewrite itself did arrive, whole.
    const tables = later.filter((p) => p.typeUrl.endsWith('RouteConfiguration'));
    expect(tables.map(hosts)).toEqual([3]);
    expect(JSON.stringify(tables[0]?.resources[0]?.object)).toContain('nginx3.example.com');
  });

  it('is ready with a FIFO and a link to /dev/zero named *.yaml in the folder, naming each', async () => {
    const { get, logs } = await start((dir) => {
      execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
      symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    });
    expect((await get('/readyz')).status).toBe(200);
    const named = logs.filter((l) => l['event'] === 'config.diagnostic').map((l) => String(l['object']));
    expect(named.some((o) => o.endsWith('fifo.yaml'))).toBe(true);
    expect(named.some((o) => o.endsWith('zero.yaml'))).toBe(true);
  });

  it('reads the folder again on reload() (SIGHUP), and logs the result', async () => {
    const { standalone, logs } = await start();
    const applied = (): number => logs.filter((l) => l['event'] === 'config.applied').length;
    expect(applied()).toBe(1);
    standalone.reload();
    const deadline = Date.now() + 2_000;
    while (applied() < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(applied()).toBe(2);
  });
});
