// The reflector against a stand-in API server on loopback (a real kube-apiserver never serves an
// object that does not fit its schema, which is the case under test): an object that stops
// fitting keeps its last good copy across a relist; a watch that ends right after its 410 ERROR
// event still leads to that relist.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { Reflector } from './reflector.js';

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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // Plain HTTP on loopback: the client library allows it only with skipTLSVerify.
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'nobody' }],
    currentContext: 'fake',
  });
  return { kc, listsServed: () => listed };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('Reflector', () => {
  it('keeps the last good copy of an object that no longer fits its schema across a relist, and says why', async () => {
    const { kc, listsServed } = await fakeApiServer([[good], [bad]]);
    const warnings: Record<string, unknown>[] = [];
    const reflector = new Reflector({
      kc,
      resource: { kind: 'Ingress', path: '/apis/networking.k8s.io/v1/ingresses' },
      onChange: () => undefined,
      log: { info: () => undefined, warn: (_message, fields = {}) => void warnings.push(fields) },
    });
    cleanups.push(() => reflector.stop());
    reflector.start();
    await until(() => listsServed() >= 2, 'the relist after the watch expired');
    await until(() => warnings.length > 0, 'the warning about the object that does not fit');
    expect(warnings[0]).toMatchObject({ kind: 'Ingress', namespace: 'shop', name: 'web', problems: ['spec.rules[0].host: must be string'] });
    const [kept] = reflector.list<{ metadata?: { resourceVersion?: string } }>();
    expect(kept?.metadata?.resourceVersion).toBe('1');
  });
});
