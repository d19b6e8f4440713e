// `portico check` against files: verdicts read from the real translation, the annotation catalog,
// the JSON schema, exit statuses (as a user runs it: a child process), and no Secret ever printed.
// Cluster mode against a real kube-apiserver: e2e/check-command.test.ts.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalogEntries } from '../translate/annotations/catalog.js';
import { annotationsMarkdown } from './check-command-annotations.js';
import { runCheck } from './check-command.js';
import type { IngressCheck } from './check-command-report.js';

const MAIN = join(import.meta.dirname, 'main.ts');
const TLS_CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'tls-termination');
const NGINX = 'nginx.ingress.kubernetes.io/';

function portico(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'portico-check-')), 'input.yaml');
  writeFileSync(path, content);
  return path;
}

interface IngressSpec {
  name: string;
  namespace?: string;
  className?: string;
  host: string;
  path?: string;
  service?: string;
  annotations?: Record<string, string>;
  created: string;
}

function ingress(spec: IngressSpec): string {
  const annotations = spec.annotations ? `\n  annotations: ${JSON.stringify(spec.annotations)}` : '';
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${spec.name}
  namespace: ${spec.namespace ?? 'apps'}
  creationTimestamp: "${spec.created}"${annotations}
spec:
  ingressClassName: ${spec.className ?? 'portico'}
  rules:
    - host: ${spec.host}
      http: {paths: [{path: ${spec.path ?? '/'}, pathType: Prefix, backend: {service: {name: ${spec.service ?? 'web'}, port: {number: 80}}}}]}
`;
}

const HELD_CLASS = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: held}
spec:
  controller: portico.dev/ingress-controller
  parameters: {apiGroup: portico.dev, kind: ClusterIngressClassParameters, name: missing}
`;

const CLASSES = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: portico}
spec: {controller: portico.dev/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec: {controller: k8s.io/ingress-nginx}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
spec: {ports: [{port: 80}]}
`;

/** One Ingress of each verdict (and annotations of each kind), in files. */
const MIXED = [
  CLASSES,
  HELD_CLASS,
  ingress({ name: 'plain', host: 'plain.example.com', created: '2026-01-01T00:00:00Z' }),
  // Honoured, unknown and another tool's annotations: a warning for the unknown one only.
  ingress({ name: 'warned', host: 'warned.example.com', created: '2026-01-02T00:00:00Z', annotations: { [`${NGINX}rewrite-target`]: '/', [`${NGINX}no-such-annotation`]: 'x', 'cert-manager.io/cluster-issuer': 'letsencrypt' } }),
  // The WAF and client certificates stay unhonoured: the Ingress is closed (503).
  ingress({ name: 'guarded', host: 'guarded.example.com', created: '2026-01-03T00:00:00Z', annotations: { [`${NGINX}enable-modsecurity`]: 'true', [`${NGINX}auth-tls-verify-client`]: 'on' } }),
  // A Service that does not exist: routed, but to a 503.
  ingress({ name: 'missing-backend', host: 'missing.example.com', created: '2026-01-04T00:00:00Z', service: 'nope' }),
  // Its only path is routed by the older "plain" already: nothing of it is served.
  ingress({ name: 'shadowed', namespace: 'other', host: 'plain.example.com', created: '2026-01-05T00:00:00Z' }),
  ingress({ name: 'theirs', className: 'nginx', host: 'theirs.example.com', created: '2026-01-06T00:00:00Z', annotations: { [`${NGINX}enable-modsecurity`]: 'true' } }),
  ingress({ name: 'in-held-class', className: 'held', host: 'held.example.com', created: '2026-01-07T00:00:00Z' }),
].join('---\n');

async function check(args: Partial<Parameters<typeof runCheck>[0]>): Promise<{ status: number; output: string }> {
  let output = '';
  const status = await runCheck({ filename: [], output: 'json', controllerName: 'portico.dev/ingress-controller', adoptClass: [], ...args }, (text) => (output += text));
  return { status, output };
}

interface Document {
  schemaVersion: number;
  source: unknown;
  notes: string[];
  summary: Record<string, number>;
  ingresses: IngressCheck[];
  diagnostics: { object: string; severity: string; message: string }[];
}

async function checkJson(args: Partial<Parameters<typeof runCheck>[0]>): Promise<{ status: number; document: Document }> {
  const { status, output } = await check({ ...args, output: 'json' });
  return { status, document: JSON.parse(output) as Document };
}

function byName(document: Document, name: string): IngressCheck {
  const found = document.ingresses.find((i) => i.name === name);
  if (!found) throw new Error(`no Ingress ${name} in the report`);
  return found;
}

describe('portico check against files', { timeout: 120_000 }, () => {
  const mixed = tempFile(MIXED);

  it('gives every Ingress its verdict from the real translation', async () => {
    const { status, document } = await checkJson({ filename: [mixed] });
    expect(status).toBe(1);
    const verdicts = Object.fromEntries(document.ingresses.map((i) => [i.object, i.verdict]));
    expect(verdicts).toEqual({
      'Ingress apps/guarded': 'not-served',
      'Ingress apps/in-held-class': 'not-served',
      'Ingress apps/missing-backend': 'served-with-errors',
      'Ingress apps/plain': 'served',
      'Ingress apps/theirs': 'not-ours',
      'Ingress apps/warned': 'served-with-warnings',
      'Ingress other/shadowed': 'not-served',
    });
    expect(document.summary).toEqual({ ingresses: 7, served: 1, 'served-with-warnings': 1, 'served-with-errors': 1, 'not-served': 3, 'not-ours': 1 });
    expect(byName(document, 'guarded').reasons[0]).toMatch(/^its routes answer 503: access control Portico does not honour \(.*auth-tls-verify-client.*enable-modsecurity/);
    expect(byName(document, 'shadowed').reasons[0]).toMatch(/^no route of it is served/);
    expect(byName(document, 'shadowed').diagnostics).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('is already routed by Ingress apps/plain') })]);
    expect(byName(document, 'in-held-class').reasons[0]).toMatch(/^its IngressClass held is held \(.*missing/);
    expect(byName(document, 'theirs').reasons).toEqual(['IngressClass nginx belongs to controller k8s.io/ingress-nginx, not portico.dev/ingress-controller']);
    expect(byName(document, 'theirs').annotations).toEqual([]);
    // The class's own problem is told once, with the other objects.
    expect(document.diagnostics).toEqual([expect.objectContaining({ object: 'IngressClass held', severity: 'error' })]);
  });

  it('says how each annotation is treated, from the catalog, and marks those a diagnostic names', async () => {
    const { document } = await checkJson({ filename: [mixed] });
    expect(byName(document, 'warned').annotations).toEqual([
      { name: 'cert-manager.io/cluster-issuer', support: 'other', note: expect.any(String) },
      { name: `${NGINX}no-such-annotation`, support: 'unknown', note: expect.any(String), problems: ['warning'] },
      { name: `${NGINX}rewrite-target`, support: 'honoured' },
    ]);
    const guarded = byName(document, 'guarded').annotations;
    expect(guarded.map((a) => [a.name, a.support, a.problems])).toEqual([
      [`${NGINX}auth-tls-verify-client`, 'refused', ['error']],
      [`${NGINX}enable-modsecurity`, 'refused', ['error']],
    ]);
    expect(guarded[1]?.note).toBe(catalogEntries().find((e) => e.name === 'enable-modsecurity')?.note);
  });

  it('judges another controller\'s class as Portico would serve it with --adopt-class', async () => {
    const { document } = await checkJson({ filename: [mixed], adoptClass: ['nginx', 'gone'] });
    expect(byName(document, 'theirs').verdict).toBe('not-served');
    expect(byName(document, 'theirs').ingressClass).toBe('nginx');
    expect(document.notes).toEqual([
      'IngressClass nginx (controller k8s.io/ingress-nginx) is judged as if recreated with controller portico.dev/ingress-controller',
      'IngressClass gone does not exist; judged as if it were created with controller portico.dev/ingress-controller and no parameters',
    ]);
  });

  it('counts a canary as served through its share of the primary\'s route (it claims no route of its own)', async () => {
    const canary = { [`${NGINX}canary`]: 'true', [`${NGINX}canary-weight`]: '10' };
    const input = tempFile([
      CLASSES,
      'apiVersion: v1\nkind: Service\nmetadata: {name: web-canary, namespace: apps}\nspec: {ports: [{port: 80}]}\n',
      ingress({ name: 'primary', host: 'c.example.com', created: '2026-01-01T00:00:00Z' }),
      // With an error (a load-balance value ignored): served, not as written; never "not served".
      ingress({ name: 'canary', host: 'c.example.com', created: '2026-01-02T00:00:00Z', service: 'web-canary', annotations: { ...canary, [`${NGINX}load-balance`]: 'bogus' } }),
      ingress({ name: 'orphan', host: 'o.example.com', created: '2026-01-03T00:00:00Z', service: 'web-canary', annotations: canary }),
      // A canary to the primary's own backend changes nothing: a warning, no route, yet nothing refused.
      ingress({ name: 'primary-d', host: 'd.example.com', created: '2026-01-04T00:00:00Z' }),
      ingress({ name: 'same-backend', host: 'd.example.com', created: '2026-01-05T00:00:00Z', annotations: canary }),
    ].join('---\n'));
    const { document } = await checkJson({ filename: [input] });
    expect(byName(document, 'primary').verdict).toBe('served');
    expect(byName(document, 'canary').diagnostics).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('load-balance') })]);
    expect(byName(document, 'canary').verdict).toBe('served-with-errors');
    // No primary for its path: an error, and nothing of it is served.
    expect(byName(document, 'orphan').verdict).toBe('not-served');
    expect(byName(document, 'same-backend').verdict).toBe('served-with-warnings');
    expect(byName(document, 'same-backend').reasons).toEqual(['it makes no route of its own (see the warnings)']);
  });

  it('reports one namespace with -n, with the diagnostics of that namespace only', async () => {
    const { document } = await checkJson({ filename: [mixed], namespace: 'other' });
    expect(document.ingresses.map((i) => i.object)).toEqual(['Ingress other/shadowed']);
    // The conflict with apps/plain is still seen: translation had every Ingress.
    expect(byName(document, 'shadowed').verdict).toBe('not-served');
    expect(document.diagnostics).toEqual([expect.objectContaining({ object: 'IngressClass held' })]);
  });

  it('exits 0 when everything is served as written, warnings allowed', async () => {
    const input = tempFile([CLASSES, ingress({ name: 'warned', host: 'w.example.com', created: '2026-01-02T00:00:00Z', annotations: { [`${NGINX}proxy-buffering`]: 'on' } })].join('---\n'));
    const result = portico('check', '-f', input);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Ingress apps/warned (class portico): SERVED WITH WARNINGS');
    expect(result.stdout).toMatch(/nginx\.ingress\.kubernetes\.io\/proxy-buffering +no-op \[warning\] +Envoy streams responses/);
    expect(result.stdout).toContain('1 Ingress: 1 served with warnings');
  });

  it('lists the routes proxyless gRPC clients do not get as info, which leaves the verdict served', async () => {
    const input = tempFile([CLASSES, ingress({ name: 'app', host: 'app.example.com', created: '2026-01-02T00:00:00Z', annotations: { [`${NGINX}app-root`]: '/home' } })].join('---\n'));
    const { status, document } = await checkJson({ filename: [input] });
    expect(status).toBe(0);
    expect(byName(document, 'app')).toMatchObject({
      verdict: 'served',
      reasons: [],
      diagnostics: [{ severity: 'info', message: 'route apps/app/app-root (host app.example.com) is left out for proxyless gRPC clients: gRPC does not support redirects; Envoy still serves it' }],
    });
    // Not a problem of the annotation either.
    expect(byName(document, 'app').annotations).toEqual([expect.not.objectContaining({ problems: expect.anything() })]);
    const { output } = await check({ filename: [input], output: 'text' });
    expect(output).toContain('Ingress apps/app (class portico): SERVED\n');
    expect(output).toContain('  info: route apps/app/app-root (host app.example.com) is left out for proxyless gRPC clients');
    expect(output).toContain('1 Ingress: 1 served\n');
  });

  it('prints a table per Ingress and exits 1 when an Ingress is not served', () => {
    const result = portico('check', '-f', mixed);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('Ingress apps/guarded (class portico): NOT SERVED\n  its routes answer 503: access control Portico does not honour');
    expect(result.stdout).toMatch(/\n {2}ANNOTATION +SUPPORT +DIFFERENCE FROM INGRESS-NGINX\n {2}nginx\.ingress\.kubernetes\.io\/auth-tls-verify-client +refused \[error\] +client certificates are not supported\n/);
    expect(result.stdout).toContain('Ingress apps/theirs (class nginx): NOT OURS');
    expect(result.stdout).toContain('7 Ingresses: 1 served, 1 served with warnings, 1 served with errors, 3 not served, 1 not ours');
  });

  it('keeps the JSON schema: the documented fields, and only them', async () => {
    const { document } = await checkJson({ filename: [mixed] });
    expect(Object.keys(document)).toEqual(['schemaVersion', 'source', 'notes', 'summary', 'ingresses', 'diagnostics']);
    expect(document.schemaVersion).toBe(1);
    expect(document.source).toEqual({ kind: 'files', paths: [mixed] });
    for (const entry of document.ingresses) {
      expect(Object.keys(entry).sort()).toEqual(['annotations', 'diagnostics', 'ingressClass', 'name', 'namespace', 'object', 'reasons', 'verdict']);
    }
  });

  it('never prints a Secret: no key, no certificate, in either format', async () => {
    const secrets = readFileSync(join(TLS_CASE, 'secrets.yaml'), 'utf8');
    const data = parse(secrets.split('\n---\n')[0] ?? '') as { data: Record<string, string> };
    const key = data.data['tls.key'] ?? '';
    const pem = Buffer.from(key, 'base64').toString('utf8');
    expect(pem).toContain('PRIVATE KEY');
    for (const output of ['text', 'json'] as const) {
      const result = await check({ filename: [join(TLS_CASE, 'input.yaml'), join(TLS_CASE, 'secrets.yaml')], output, now: '2026-06-01T00:00:00Z' });
      expect(result.output).toContain('shop/broken-secrets');
      for (const secret of [key.slice(0, 40), key.slice(-40), pem.split('\n')[1] ?? 'x', 'PRIVATE KEY', data.data['tls.crt']?.slice(40, 80) ?? 'x']) {
        expect(result.output).not.toContain(secret);
      }
    }
  });

  it('refuses usage and input errors: exit 2, a message, no stack trace', async () => {
    const refusals: [Partial<Parameters<typeof runCheck>[0]>, RegExp][] = [
      [{ filename: [mixed], kubeconfig: '/tmp/kc' }, /use one or the other/],
      [{ filename: [mixed], namespace: 'apps', allNamespaces: true }, /exclude each other/],
      [{ filename: [mixed], output: 'markdown' }, /--annotations only/],
      [{ filename: [mixed], now: 'yesterday' }, /--now/],
      [{ kubeconfig: '/nonexistent/kubeconfig' }, /cannot read the kubeconfig \/nonexistent\/kubeconfig/],
    ];
    for (const [args, message] of refusals) await expect(check(args)).rejects.toThrow(message);
    expect((await check({ filename: ['/nonexistent/manifests'] })).status).toBe(2);
    // As a user runs it: the message on stderr and exit 2, for commander's errors as for ours.
    for (const args of [['check', '-f', mixed, '-o', 'xml'], ['check', '--kubeconfig', '/nonexistent/kubeconfig']]) {
      const result = portico(...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect(portico('check', '--kubeconfig', '/nonexistent/kubeconfig').stderr).toMatch(/^portico check: cannot read the kubeconfig \/nonexistent\/kubeconfig/);
  });

  it('prints the annotation catalog with --annotations: every entry, in each format', async () => {
    const json = JSON.parse((await check({ annotations: true, output: 'json' })).output) as { annotations: { name: string; support: string }[] };
    expect(json.annotations.map((a) => a.name).sort()).toEqual(catalogEntries().map((e) => NGINX + e.name).sort());
    for (const entry of catalogEntries()) expect(json.annotations.find((a) => a.name === NGINX + entry.name)?.support).toBe(entry.support);
    expect((await check({ annotations: true, output: 'markdown' })).output).toBe(annotationsMarkdown());
    const text = (await check({ annotations: true, output: 'text' })).output;
    expect(text.split('\n').filter((line) => line !== '').length).toBe(catalogEntries().length + 1);
  });
});
