// The webhook's HTTPS endpoint with real TLS: verified against the issuing CA, AdmissionReview in
// and out, bounded bodies, and a swapped certificate used for new connections.
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createCa, issueServerCertificate } from '../../../xds-server/src/index.js';
import { silentLogger } from '../../../observability/src/index.js';
import { MAX_REVIEWS_IN_FLIGHT, WebhookServer } from './webhook-server.js';
import { stateFromYaml, fixtures } from '../test-support/translate-yaml.js';

let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function post(port: number, ca: string, body: string, path = '/validate'): Promise<{ status: number; json: Record<string, unknown>; peer: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port, path, method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } }, (response) => {
      const peer = (response.socket as TLSSocket).getPeerX509Certificate()?.serialNumber ?? '';
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, peer }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

const badIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'web', namespace: 'default', annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' } },
  spec: { ingressClassName: 'portico', rules: [{ host: 'a.example.com', http: { paths: [{ path: '/(a|b', pathType: 'ImplementationSpecific', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
};

describe('WebhookServer', () => {
  it('answers an AdmissionReview over TLS the API server can verify with the CA, and bounds what it reads', async () => {
    const ca = await createCa('test CA');
    const pair = await issueServerCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const state = stateFromYaml(fixtures({ services: ['web'] }));
    server = new WebhookServer({ logger: silentLogger, ...pair, context: () => ({ state, now: Date.now() }) });
    const port = await server.listen('127.0.0.1:0');
    const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'abc', kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, operation: 'CREATE', namespace: 'default', name: 'web', object: badIngress } };
    const answer = await post(port, ca.cert, JSON.stringify(review));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'abc', allowed: false } });

    expect((await post(port, ca.cert, '{"kind":"Nope"}')).status).toBe(400);
    expect((await post(port, ca.cert, 'not json')).status).toBe(400);
    expect((await post(port, ca.cert, '{}', '/mutate')).status).toBe(404);
    expect((await post(port, ca.cert, ' '.repeat(5 * 1024 * 1024))).status).toBe(413);

    // Rotation: new connections get the new certificate.
    const next = await issueServerCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    server.setCertificate(next.cert, next.key);
    expect((await post(port, ca.cert, JSON.stringify(review))).peer).toBe(new X509Certificate(next.cert).serialNumber);
  });

  it('holds only a few reviews at once: beyond them it answers 429 at once (failurePolicy Ignore lets the write through)', async () => {
    const ca = await createCa('test CA');
    const pair = await issueServerCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const state = stateFromYaml(fixtures({ services: ['web'] }));
    server = new WebhookServer({ logger: silentLogger, ...pair, context: () => ({ state, now: Date.now() }) });
    const port = await server.listen('127.0.0.1:0');
    // Slow senders: each holds a review slot while its body trickles in.
    const held = Array.from({ length: MAX_REVIEWS_IN_FLIGHT }, () => {
      const request = https.request({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca: ca.cert, agent: false, headers: { 'content-type': 'application/json' } });
      request.on('error', () => undefined);
      request.write('{');
      return request;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = await post(port, ca.cert, '{}');
    expect(refused.status).toBe(429);
    for (const request of held) request.destroy();
  });
});
