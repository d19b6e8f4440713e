// The Event recorder against a stand-in API server that records what it is sent: "resolved" only
// when the problem is gone (not when the Ingress's class is held, nor when it stops being ours),
// and every write names the field manager and the reporting replica.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEnvoyConfig } from '../pipeline.js';
import { classIngressYaml, ingressClassYaml, parametersYaml } from '../test-support/parameters-yaml.js';
import { stateFromYaml } from '../test-support/translate-yaml.js';
import { selectIngressClasses } from '../translate/ingress-classes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { ERRORS_RESOLVED, EventRecorder, judgement, RESOLVED } from './event-recorder.js';
import { reportingInstance } from './reporter.js';

interface Sent {
  method: string;
  url: string;
  body: { type?: string; reason?: string; message?: string; involvedObject?: { kind?: string; name?: string }; reportingComponent?: string; reportingInstance?: string };
}

let server: Server;
let kc: KubeConfig;
const sent: Sent[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      sent.push({ method: request.method ?? '', url: request.url ?? '', body: body ? (JSON.parse(body) as Sent['body']) : {} });
      response.setHeader('content-type', 'application/json');
      response.end(body || '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'nobody' }],
    currentContext: 'fake',
  });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const quiet = { warn: (): void => undefined };
const foreignClass = 'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: foreign}\nspec: {controller: example.com/other}';

/** One reconcile's worth: translate, then sync Events with the judgement the operator makes. */
async function round(recorder: EventRecorder, ...docs: string[]): Promise<string[]> {
  const state = stateFromYaml(...docs);
  const config = buildEnvoyConfig(state, Date.now());
  const before = sent.length;
  await recorder.sync(config.diagnostics, state, AbortSignal.timeout(5_000), judgement(config.classes, selectIngressClasses(state).ingressesByClass));
  return sent.slice(before).map((s) => `${s.body.type ?? s.method} ${s.body.involvedObject?.kind ?? ''} ${s.body.involvedObject?.name ?? ''}`);
}

describe('EventRecorder', () => {
  it('says resolved only when the problem is gone: not while the class is held, not when the Ingress is no longer ours', async () => {
    const recorder = new EventRecorder(kc, quiet, () => new Date('2025-01-01T00:00:00Z'), 'portico-7d9f-abcde');
    const klass = ingressClassYaml({ name: 'a', parameters: 'p' });
    const params = parametersYaml('p', {});
    const broken = classIngressYaml('web', 'a', 'web.example.com', 'nowhere');

    expect(await round(recorder, klass, params, broken)).toEqual(['Warning Ingress web']);
    // The parameters go: class a is held and its Ingresses are not translated. Their problems are
    // unseen, not resolved.
    expect(await round(recorder, klass, broken)).toEqual(['Warning IngressClass a']);
    expect(await round(recorder, klass, broken)).toEqual([]);
    // Back: the class's own problem is resolved; the Ingress's, still there, is not re-reported.
    expect(await round(recorder, klass, params, broken)).toEqual(['Normal IngressClass a']);
    // Held again, and fixed meanwhile (the Ingress now names a Service that exists): still nothing
    // until it is translated again.
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: nowhere, namespace: default}\nspec: {ports: [{name: http, port: 80}]}';
    expect(await round(recorder, klass, broken, service)).toEqual(['Warning IngressClass a']);
    expect(await round(recorder, klass, params, broken, service)).toEqual(['Normal Ingress web', 'Normal IngressClass a']);

    // A problem, then the Ingress moves to another controller's class: forgotten, not "resolved".
    expect(await round(recorder, klass, params, broken)).toEqual(['Warning Ingress web']);
    expect(await round(recorder, klass, params, foreignClass, classIngressYaml('web', 'foreign', 'web.example.com', 'nowhere'))).toEqual([]);
  });

  it('says the errors are resolved when the last error goes and warnings remain, once per fix; info makes no Event', async () => {
    const recorder = new EventRecorder(kc, quiet, () => new Date('2025-01-01T00:00:00Z'), 'portico-7d9f-abcde');
    const klass = ingressClassYaml({ name: 'a' });
    // An error (its Service is missing) and a warning (an annotation Portico does not know).
    const web = classIngressYaml('web', 'a', 'web.example.com', 'nowhere', { 'nginx.ingress.kubernetes.io/no-such-annotation': 'x' });
    const service = 'apiVersion: v1\nkind: Service\nmetadata: {name: nowhere, namespace: default}\nspec: {ports: [{name: http, port: 80}]}';
    const reasons = async (extra: Diagnostic[], ...docs: string[]): Promise<string[]> => {
      const state = stateFromYaml(...docs);
      const config = buildEnvoyConfig(state, Date.now());
      const before = sent.length;
      await recorder.sync([...config.diagnostics, ...extra], state, AbortSignal.timeout(5_000), judgement(config.classes, selectIngressClasses(state).ingressesByClass));
      return sent.slice(before).map((s) => `${s.method} ${s.body.type ?? ''} ${s.body.reason ?? ''} ${s.body.involvedObject?.name ?? ''}`.replace(/\s+/g, ' ').trim());
    };
    const info: Diagnostic = { object: 'Ingress default/web', severity: 'info', message: 'route web is left out for proxyless gRPC clients' };

    expect((await reasons([info], klass, web)).sort()).toEqual(['POST Warning ConfigurationError web', 'POST Warning ConfigurationWarning web']);
    // Fixed: the warning stays, and the fix is told.
    expect(await reasons([info], klass, web, service)).toEqual([`POST Normal ${ERRORS_RESOLVED.reason} web`]);
    expect(sent.at(-1)?.body.message).toBe(ERRORS_RESOLVED.message);
    // Nothing changes: nothing more is said.
    expect(await reasons([info], klass, web, service)).toEqual([]);
    // Broken again, fixed again: the same Events, their counts raised (the stand-in answers the
    // re-POST as created; a real API server's 409 leads to a count bump).
    expect(await reasons([], klass, web)).toEqual(['POST Warning ConfigurationError web']);
    expect(await reasons([], klass, web, service)).toEqual([`POST Normal ${ERRORS_RESOLVED.reason} web`]);
    // The warning goes too (only info is left): everything is resolved.
    const clean = classIngressYaml('web', 'a', 'web.example.com', 'nowhere');
    expect(await reasons([info], klass, clean, service)).toEqual([`POST Normal ${RESOLVED.reason} web`]);
    expect(await reasons([info], klass, clean, service)).toEqual([]);
  });

  it('writes Events with the field manager portico, reportingComponent (reportingController) and reportingInstance', async () => {
    const recorder = new EventRecorder(kc, quiet, () => new Date('2025-01-01T00:00:00Z'), 'portico-7d9f-abcde');
    const before = sent.length;
    await round(recorder, ingressClassYaml({ name: 'a' }), classIngressYaml('other', 'a', 'other.example.com', 'missing'));
    const [post] = sent.slice(before);
    expect(post?.method).toBe('POST');
    expect(new URL(post?.url ?? '', 'http://x').searchParams.get('fieldManager')).toBe('portico');
    expect(post?.body).toMatchObject({ reportingComponent: 'portico-controller', reportingInstance: 'portico-7d9f-abcde' });
  });
});

describe('reportingInstance', () => {
  it('is POD_NAME, else the host name, cut to 128 characters', () => {
    expect(reportingInstance({ POD_NAME: 'portico-5c6b-x2x9q' }, () => 'host')).toBe('portico-5c6b-x2x9q');
    expect(reportingInstance({}, () => 'node-1')).toBe('node-1');
    expect(reportingInstance({ POD_NAME: ' ' }, () => 'node-1')).toBe('node-1');
    expect(reportingInstance({ POD_NAME: 'x'.repeat(200) }, () => 'h')).toHaveLength(128);
  });
});
