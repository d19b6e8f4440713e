// The reflector against a stand-in API server on loopback (a real kube-apiserver never serves an
// object that does not fit its schema, which is the case under test): an object that stops
// fitting keeps its last good copy across a relist; a watch that ends right after its 410 ERROR
// event still leads to that relist.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeHttpError } from '../../kube/kube-http.js';
import { Reflector, failureKind } from './reflector.js';

const good = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop', resourceVersion: '1' }, spec: { rules: [{ host: 'a.example.com' }] } };
const bad = { ...good, metadata: { ...good.metadata, resourceVersion: '2' }, spec: { rules: [{ host: 42 }] } };

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Serves lists in turn; the first watch expires at once (410), later ones stay open. */
async function fakeApiServer(lists: object[][]): Promise<{ kc: KubeConfig; listsServed: () => number }> {
  let listed = 0;
  let watched = 0;
  const server: Server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (!(request.url ?? '').includes('watch=1')) {
      const items = lists[Math.min(listed, lists.length - 1)] ?? [];
      listed++;
      response.end(JSON.stringify({ kind: 'IngressList', apiVersion: 'networking.k8s.io/v1', metadata: { resourceVersion: String(listed) }, items }));
      return;
    }
    if (watched++ === 0) response.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, message: 'too old resource version' } })}\n`);
    else response.write('');
  });
  const { kc } = await serveOnLoopback(server);
  return { kc, listsServed: () => listed };
}

async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Reflector', () => {
  it('keeps the last good copy of an object that no longer fits its schema across a relist, and says why', async () => {
    const { kc, listsServed } = await fakeApiServer([[good], [bad]]);
    const warnings: Record<string, unknown>[] = [];
    const restarts: string[] = [];
    const reflector = new Reflector({
      kc,
      resource: { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
      onChange: () => undefined,
      log: { info: () => undefined, warn: (_message, fields = {}) => void warnings.push(fields) },
      onRestart: (kind, reason) => void restarts.push(`${kind} ${reason}`),
    });
    cleanups.push(() => reflector.stop());
    reflector.start();
    await until(() => listsServed() >= 2, 'the relist after the watch expired');
    await until(() => warnings.length > 0, 'the warning about the object that does not fit');
    expect(warnings[0]).toMatchObject({ kind: 'Ingress', namespace: 'shop', name: 'web', problems: ['spec.rules[0].host: must be string'] });
    const [kept] = reflector.list<{ metadata?: { resourceVersion?: string } }>();
    expect(kept?.metadata?.resourceVersion).toBe('1');
    // What portico_watch_restarts_total counts.
    expect(restarts[0]).toBe('Ingress expired');
  });
});

/** A stand-in API server whose answer to each request `respond` chooses; counts requests. */
async function scriptedApiServer(respond: (request: { url: string; n: number }) => { status: number; body?: object } | 'hang'): Promise<{ kc: KubeConfig; requests: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server: Server = createServer((request, response) => {
    const answer = respond({ url: request.url ?? '', n: n++ });
    if (answer === 'hang') return response.write('');
    response.statusCode = answer.status;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(answer.body ?? { kind: 'Status', code: answer.status, message: `status ${answer.status}` }));
  });
  const { kc, close } = await serveOnLoopback(server);
  return { kc, requests: () => n, close };
}

/** Listens on a loopback port (closed after the test) and a KubeConfig that points at it. */
async function serveOnLoopback(server: Server): Promise<{ kc: KubeConfig; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = (): Promise<void> => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  cleanups.push(close);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // Plain HTTP on loopback: the client library allows it only with skipTLSVerify.
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'nobody' }],
    currentContext: 'fake',
  });
  return { kc, close };
}

const list = (items: object[], resourceVersion = '1'): { status: number; body: object } => ({ status: 200, body: { kind: 'List', apiVersion: 'v1', metadata: { resourceVersion }, items } });

describe('Reflector retries', () => {
  it('classifies failures: no answer is unreachable, warm-up statuses are warming, the rest other', () => {
    expect(failureKind(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }))).toBe('unreachable');
    for (const status of [403, 429, 500, 503]) expect(failureKind(new KubeHttpError('x', status))).toBe('warming');
    for (const status of [400, 401, 404, 422]) expect(failureKind(new KubeHttpError('x', status))).toBe('other');
  });

  it('lists promptly once a warming server stops answering 403/429/503, instead of backing off to the max', async () => {
    // Eight refusals would take about 30 s with plain exponential backoff from 250 ms.
    const statuses = [403, 403, 429, 503, 403, 403, 429, 503];
    const fake = await scriptedApiServer(({ url, n }) => (url.includes('watch=1') ? 'hang' : n < statuses.length ? { status: statuses[n] ?? 503 } : list([good])));
    const reflector = new Reflector({ kc: fake.kc, resource: { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' }, onChange: () => undefined, log: { info: () => undefined, warn: () => undefined } });
    cleanups.push(() => reflector.stop());
    const started = Date.now();
    reflector.start();
    await until(() => reflector.hasSynced, 'the list after the warm-up refusals', 12_000);
    expect(Date.now() - started).toBeLessThan(statuses.length * 1_000 + 1_000);
  }, 15_000);

  it('keeps an optional kind\'s objects when its API answers 404 right after an outage (the CRDs are not loaded yet)', async () => {
    const params = { apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name: 'p', resourceVersion: '1' }, spec: {} };
    let phase: 'up' | 'down' | 'warming' = 'up';
    const fake = await scriptedApiServer(({ url }) => {
      if (phase === 'down') return { status: 503 };
      if (phase === 'warming') return { status: 404 };
      // The first watch ends at once, so that the reflector keeps asking.
      return url.includes('watch=1') ? { status: 200, body: {} } : list([params]);
    });
    const changes: string[] = [];
    const reflector = new Reflector({
      kc: fake.kc,
      resource: { kind: 'ClusterIngressClassParameters', path: '/apis/portico.dev/v1alpha1/clusteringressclassparameters', optional: true },
      onChange: (kind) => void changes.push(kind),
      log: { info: () => undefined, warn: () => undefined },
    });
    cleanups.push(() => reflector.stop());
    reflector.start();
    await until(() => reflector.hasSynced, 'the first list');
    phase = 'down';
    await new Promise((resolve) => setTimeout(resolve, 300));
    phase = 'warming';
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(reflector.list()).toHaveLength(1);
    phase = 'up';
  }, 15_000);
});
