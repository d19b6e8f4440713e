// The admission webhook on a real kube-apiserver. The operator runs in-process under its
// least-privilege ServiceAccount (config/rbac, including admission-role.yaml) and serves the
// webhook on 127.0.0.1; the ValidatingWebhookConfiguration is config/admission's, with its
// clientConfig pointed at that address by url (the test API server runs on this machine and has no
// Service network). The operator's leader writes the caBundle itself. Then, through the API
// server: an Ingress of our class with an invalid regex is refused with the message its Warning
// Event carries, a valid one is accepted, an Ingress of another controller's class is accepted
// without a word, a missing Service only warns, and with the operator down (or hanging) Ingresses
// are accepted: failurePolicy Ignore, within timeoutSeconds.
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { requestJson } from '../operator/src/kube/kube-http.js';
import { eventually, ingressClass, OPERATOR_NAMESPACE, service, startOperator, startTestbed } from './cluster/testbed.js';
import type { Operator, Testbed } from './cluster/testbed.js';
import { REPO_ROOT } from './support/portico-process.js';

const CONFIGURATION = 'portico-admission';
const VWC_PATH = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${CONFIGURATION}`;
const REGEX = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };

interface WebhookConfiguration {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  webhooks: Array<{ name: string; timeoutSeconds: number; failurePolicy: string; clientConfig: { url?: string; service?: unknown; caBundle?: string } }>;
}

/** config/admission's configuration, calling `url` instead of the in-cluster Service. */
function webhookConfiguration(url: string): WebhookConfiguration {
  const manifest = parse(readFileSync(join(REPO_ROOT, 'config/admission/validating-webhook-configuration.yaml'), 'utf8')) as WebhookConfiguration;
  for (const webhook of manifest.webhooks) webhook.clientConfig = { url };
  return manifest;
}

let bed: Testbed;
let ns: string;
let operator: Operator | undefined;

function ingress(name: string, options: { path: string; className?: string; annotations?: Record<string, string>; labels?: Record<string, string>; service?: string }): object {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns, annotations: { ...REGEX, ...options.annotations }, ...(options.labels ? { labels: options.labels } : {}) },
    spec: {
      ingressClassName: options.className ?? 'portico',
      rules: [{ host: `${name}.example.com`, http: { paths: [{ path: options.path, pathType: 'ImplementationSpecific', backend: { service: { name: options.service ?? 'web', port: { number: 80 } } } }] } }],
    },
  };
}

interface Answer {
  status: number;
  message: string;
  warnings: string[];
  ms: number;
}

/** POSTs the Ingress as an administrator would (kubectl create), keeping status, message and Warning headers. */
async function create(object: object, dryRun = false): Promise<Answer> {
  const kc: KubeConfig = bed.admin;
  const server = kc.getCurrentCluster()?.server ?? '';
  const url = new URL(`/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses${dryRun ? '?dryRun=All' : ''}`, server);
  const options: https.RequestOptions = { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' } };
  await kc.applyToHTTPSOptions(options);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const request = https.request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: string };
        const header = response.headers['warning'];
        const warnings = (Array.isArray(header) ? header : header ? [header] : []).map((w) => w.replace(/^299 - "(.*)"$/, '$1'));
        resolve({ status: response.statusCode ?? 0, message: body.message ?? '', warnings, ms: Date.now() - started });
      });
    });
    request.on('error', reject);
    request.end(JSON.stringify(object));
  });
}

async function configuration(): Promise<WebhookConfiguration> {
  return (await requestJson(bed.admin, 'GET', VWC_PATH, AbortSignal.timeout(10_000))) as WebhookConfiguration;
}

async function pointWebhookAt(url: string): Promise<void> {
  const current = await configuration();
  await requestJson(bed.admin, 'PATCH', VWC_PATH, AbortSignal.timeout(10_000), { webhooks: current.webhooks.map((w) => ({ name: w.name, clientConfig: { url } })) }, 'application/strategic-merge-patch+json');
}

beforeAll(async () => {
  bed = await startTestbed('admission');
  ns = bed.namespace;
  await bed.networking.createIngressClass({ body: ingressClass('portico') });
  await bed.networking.createIngressClass({ body: ingressClass('nginx', 'k8s.io/ingress-nginx') });
  await bed.core.createNamespacedService({ namespace: ns, body: service(ns, 'web') });
  operator = await startOperator(bed, 'admission', {
    admission: { address: '127.0.0.1:0', namespace: OPERATOR_NAMESPACE, serverNames: ['127.0.0.1'], webhookConfiguration: CONFIGURATION, checkEveryMs: 200 },
  });
  const port = operator.mode.admissionPort;
  await requestJson(bed.admin, 'POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', AbortSignal.timeout(10_000), webhookConfiguration(`https://127.0.0.1:${port}/validate`));
  // The leader writes the caBundle (no one else does), then the API server's webhook cache follows.
  await eventually('the caBundle written by the operator', async () => (await configuration()).webhooks.every((w) => w.clientConfig.caBundle), 30_000);
  await eventually('the API server to call the webhook', async () => (await create(ingress('probe', { path: '/(a|b' }), true)).status === 400, 30_000);
}, 120_000);

afterAll(async () => {
  await operator?.stop();
  await bed?.stop();
});

describe('admission webhook on a real API server', () => {
  it('refuses an Ingress of our class with an invalid regex, with the message its Warning Event gives', async () => {
    const refused = await create(ingress('bad', { path: '/(a|b' }));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/^admission webhook "ingresses\.admission\.portico\.dev" denied the request: Ingress .*\/bad: spec\.rules\[0\]\.http\.paths\[0\]\.path: /);
    expect((await bed.networking.listNamespacedIngress({ namespace: ns })).items.map((i) => i.metadata?.name)).not.toContain('bad');

    // The same Ingress let through (the opt-out label skips the webhook): the operator's Event.
    const skipped = await create(ingress('bad', { path: '/(a|b', labels: { 'portico.dev/admission': 'skip' } }));
    expect(skipped.status).toBe(201);
    const event = await eventually('the Warning Event on Ingress bad', async () => {
      const events = await bed.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=bad' });
      return events.items.find((e: CoreV1Event) => e.reason === 'ConfigurationError');
    }, 30_000);
    expect(refused.message).toContain(`: Ingress ${ns}/bad: ${event.message}`);
  });

  it('accepts a valid Ingress of our class, and says what only warns (a Service not there yet)', async () => {
    const good = await create(ingress('good', { path: '/(a|b)' }));
    expect(good).toMatchObject({ status: 201, warnings: [] });
    const early = await create(ingress('early', { path: '/x', service: 'not-yet' }));
    expect(early.status).toBe(201);
    expect(early.warnings).toEqual([expect.stringMatching(/backend\.service\.name: Service \S+\/not-yet not found/)]);
  });

  it('never judges an Ingress of another controller\'s class: the same invalid regex is accepted without a word', async () => {
    expect(await create(ingress('theirs', { path: '/(a|b', className: 'nginx' }))).toMatchObject({ status: 201, warnings: [] });
  });

  it('accepts Ingresses when the webhook does not answer (failurePolicy Ignore), within timeoutSeconds', async () => {
    const { timeoutSeconds, failurePolicy } = (await configuration()).webhooks[0] ?? { timeoutSeconds: 0, failurePolicy: '' };
    expect(failurePolicy).toBe('Ignore');
    // A webhook that accepts connections and never answers: the API server waits timeoutSeconds.
    const sockets: Socket[] = [];
    const hanging: Server = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    try {
      await pointWebhookAt(`https://127.0.0.1:${(hanging.address() as AddressInfo).port}/validate`);
      await eventually('the API server to call the hanging webhook', () => sockets.length > 0 || create(ingress('hang-probe', { path: '/(a|b' }), true).then(() => sockets.length > 0), 30_000);
      const slow = await create(ingress('slow', { path: '/(a|b' }));
      expect(slow.status).toBe(201);
      expect(slow.ms).toBeLessThan(timeoutSeconds * 1000 + 3_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      hanging.close();
    }

    // The operator down: its port closed, so the call fails at once and the write goes through.
    const port = operator?.mode.admissionPort ?? 0;
    await pointWebhookAt(`https://127.0.0.1:${port}/validate`);
    await eventually('the API server to call the operator again', async () => (await create(ingress('back-probe', { path: '/(a|b' }), true)).status === 400, 30_000);
    await operator?.stop();
    operator = undefined;
    const down = await create(ingress('down', { path: '/(a|b' }));
    expect(down.status).toBe(201);
    expect(down.ms).toBeLessThan(timeoutSeconds * 1000 + 3_000);
  }, 90_000);
});
