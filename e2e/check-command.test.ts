// `portico check` against a real kube-apiserver, as a user runs it (a child process with a
// kubeconfig): read-only LISTs of every kind, TLS Secrets only, verdicts from the real translation,
// -A / -n / --context / --adopt-class, a user who may read one namespace only, and exit statuses.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, DiscoveryV1Api, NetworkingV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1Ingress } from '@kubernetes/client-node';
import { startControlPlane } from './harness/control-plane.js';
import type { ControlPlane } from './harness/control-plane.js';
import { REPO_ROOT } from './support/portico-process.js';
import { createTestCa, tlsSecretObject } from './support/tls-secrets.js';
import type { KeyPair } from './support/tls-secrets.js';

const MAIN = join(REPO_ROOT, 'operator', 'src', 'cli', 'main.ts');
const NGINX = 'nginx.ingress.kubernetes.io/';
const SHOP = 'shop';
const OTHER = 'other';

interface Report {
  source: { kind: string; namespace: string | null; context: string };
  notes: string[];
  ingresses: { object: string; verdict: string; reasons: string[]; diagnostics: { severity: string; message: string }[] }[];
}

let plane: ControlPlane;
let leaf: KeyPair;
let shopReader: string;
let noClassesReader: string;

function portico(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', cwd: REPO_ROOT, env: { ...process.env, KUBECONFIG: '/nonexistent' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function checkJson(...args: string[]): { status: number | null; report: Report; stderr: string } {
  const result = portico('check', '-o', 'json', ...args);
  if (result.stdout === '') throw new Error(`no report (exit ${result.status}): ${result.stderr}`);
  return { status: result.status, report: JSON.parse(result.stdout) as Report, stderr: result.stderr };
}

function verdicts(report: Report): Record<string, string> {
  return Object.fromEntries(report.ingresses.map((i) => [i.object, i.verdict]));
}

function ingress(namespace: string, name: string, host: string, options: { className?: string; annotations?: Record<string, string>; tlsSecret?: string } = {}): V1Ingress {
  return {
    metadata: { namespace, name, ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      ingressClassName: options.className ?? 'portico',
      ...(options.tlsSecret ? { tls: [{ hosts: [host], secretName: options.tlsSecret }] } : {}),
      rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
    },
  };
}

beforeAll(async () => {
  const [started, ca] = await Promise.all([startControlPlane({ users: [{ name: 'shop-dev', groups: ['shop-devs'] }, { name: 'no-classes', groups: ['no-classes'] }] }), createTestCa()]);
  plane = started;
  leaf = await ca.leaf(['web.example.com']);
  const kc = plane.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await net.createIngressClass({ body: { metadata: { name: 'portico' }, spec: { controller: 'portico.dev/ingress-controller' } } });
  await net.createIngressClass({ body: { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } } });
  for (const namespace of [SHOP, OTHER]) {
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedService({ namespace, body: { metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } });
    await discovery.createNamespacedEndpointSlice({
      namespace,
      body: { metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: [{ addresses: ['10.1.0.10'], conditions: { ready: true } }] },
    });
  }
  await core.createNamespacedSecret({ namespace: SHOP, body: tlsSecretObject(SHOP, 'web-tls', leaf) });
  // An Opaque Secret is never listed (type=kubernetes.io/tls field selector): an Ingress naming
  // it hears that no TLS Secret of that name exists, not that its type is wrong.
  await core.createNamespacedSecret({ namespace: SHOP, body: { metadata: { name: 'opaque' }, type: 'Opaque', stringData: { password: 'hunter2-never-printed' } } });
  // Oldest first: web owns web.example.com/ before other/shadow asks for it.
  await net.createNamespacedIngress({ namespace: SHOP, body: ingress(SHOP, 'web', 'web.example.com', { tlsSecret: 'web-tls' }) });
  await new Promise((resolve) => setTimeout(resolve, 1100)); // creationTimestamp has whole seconds
  await net.createNamespacedIngress({ namespace: SHOP, body: ingress(SHOP, 'guarded', 'guarded.example.com', { annotations: { [`${NGINX}enable-modsecurity`]: 'true' } }) });
  await net.createNamespacedIngress({ namespace: SHOP, body: ingress(SHOP, 'opaque-tls', 'opaque.example.com', { tlsSecret: 'opaque' }) });
  await net.createNamespacedIngress({ namespace: SHOP, body: ingress(SHOP, 'legacy', 'legacy.example.com', { className: 'nginx', annotations: { [`${NGINX}rewrite-target`]: '/' } }) });
  await net.createNamespacedIngress({ namespace: OTHER, body: ingress(OTHER, 'shadow', 'web.example.com') });

  // shop-dev may list what check reads in namespace shop only, and IngressClasses.
  await rbac.createClusterRole({ body: { metadata: { name: 'ingressclass-reader' }, rules: [{ apiGroups: ['networking.k8s.io'], resources: ['ingressclasses'], verbs: ['list'] }] } });
  await rbac.createClusterRoleBinding({ body: { metadata: { name: 'shop-devs-classes' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'ingressclass-reader' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'shop-devs' }] } });
  const namespacedRules = [
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
    { apiGroups: [''], resources: ['services', 'secrets'], verbs: ['list'] },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] },
  ];
  await rbac.createNamespacedRole({ namespace: SHOP, body: { metadata: { name: 'check-reader' }, rules: namespacedRules } });
  for (const group of ['shop-devs', 'no-classes']) {
    await rbac.createNamespacedRoleBinding({ namespace: SHOP, body: { metadata: { name: `${group}-read` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'check-reader' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }] } });
  }
  shopReader = plane.writeKubeconfig('shop-dev', plane.userTokens.get('shop-dev') ?? '');
  noClassesReader = plane.writeKubeconfig('no-classes', plane.userTokens.get('no-classes') ?? '');
}, 180_000);

afterAll(async () => {
  await plane?.stop();
});

describe('portico check against a cluster', { timeout: 60_000 }, () => {
  it('lists every namespace with -A and judges each Ingress from the real translation', () => {
    const { status, report } = checkJson('--kubeconfig', plane.kubeconfigPath, '-A');
    expect(status).toBe(1);
    expect(report.source).toMatchObject({ kind: 'cluster', namespace: null, context: 'admin' });
    expect(report.notes).toEqual([]);
    expect(verdicts(report)).toEqual({
      'Ingress other/shadow': 'not-served',
      'Ingress shop/guarded': 'not-served',
      'Ingress shop/legacy': 'not-ours',
      'Ingress shop/opaque-tls': 'served-with-warnings',
      'Ingress shop/web': 'served',
    });
    const opaque = report.ingresses.find((i) => i.object === 'Ingress shop/opaque-tls');
    expect(opaque?.diagnostics.map((d) => d.message).join('\n')).toContain('Secret shop/opaque was not found as a kubernetes.io/tls Secret with tls.crt and tls.key (it does not exist, or it has another type, such as Opaque: Portico watches no other Secrets)');
  });

  it('never prints a Secret', () => {
    for (const output of ['text', 'json']) {
      const result = portico('check', '--kubeconfig', plane.kubeconfigPath, '-A', '-o', output);
      for (const secret of ['hunter2', 'PRIVATE KEY', leaf.key.split('\n')[1] ?? 'x', leaf.cert.split('\n')[1] ?? 'x', Buffer.from(leaf.key).toString('base64').slice(0, 40)]) {
        expect(result.stdout + result.stderr).not.toContain(secret);
      }
    }
  });

  it('reports one namespace with -n, still seeing conflicts with the others', () => {
    const { report } = checkJson('--kubeconfig', plane.kubeconfigPath, '-n', OTHER);
    expect(verdicts(report)).toEqual({ 'Ingress other/shadow': 'not-served' });
    expect(report.ingresses[0]?.diagnostics[0]?.message).toContain('already routed by Ingress shop/web');
  });

  it('judges another controller\'s class with --adopt-class, and uses --context', () => {
    const { report } = checkJson('--kubeconfig', plane.kubeconfigPath, '--context', 'admin', '-n', SHOP, '--adopt-class', 'nginx');
    expect(verdicts(report)['Ingress shop/legacy']).toBe('served');
    expect(report.notes).toEqual(['IngressClass nginx (controller k8s.io/ingress-nginx) is judged as if recreated with controller portico.dev/ingress-controller']);
    const missing = portico('check', '--kubeconfig', plane.kubeconfigPath, '--context', 'nope');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe('portico check: --context: the kubeconfig has no context "nope"\n');
  });

  it('reads one namespace for a user who may list only that one, and says what it cannot see', () => {
    const { status, report } = checkJson('--kubeconfig', shopReader, '-n', SHOP);
    expect(status).toBe(1);
    expect(verdicts(report)).toEqual({ 'Ingress shop/guarded': 'not-served', 'Ingress shop/legacy': 'not-ours', 'Ingress shop/opaque-tls': 'served-with-warnings', 'Ingress shop/web': 'served' });
    expect(report.notes).toEqual(['Ingresses, Services, EndpointSlices, Secrets could be listed in shop only: what other namespaces hold (such as an older Ingress routing the same host and path) is not seen']);
    // All namespaces are refused to that user: an input error, not a verdict.
    const all = portico('check', '--kubeconfig', shopReader, '-A');
    expect(all.status).toBe(2);
    expect(all.stderr).toMatch(/^portico check: cannot list Ingresses: .*403/);
  });

  it('exits 2 when the IngressClasses cannot be listed', () => {
    const result = portico('check', '--kubeconfig', noClassesReader, '-n', SHOP);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^portico check: cannot list IngressClasses: .*403/);
    expect(result.stdout).toBe('');
  });

  it('exits 0 when everything in the namespace is served as written', async () => {
    const net = plane.kubeConfig().makeApiClient(NetworkingV1Api);
    const core = plane.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'calm' } } });
    await core.createNamespacedService({ namespace: 'calm', body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } } });
    await net.createNamespacedIngress({ namespace: 'calm', body: ingress('calm', 'web', 'calm.example.com') });
    const result = portico('check', '--kubeconfig', plane.kubeconfigPath, '-n', 'calm');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Ingress calm/web (class portico): SERVED\n');
  });
});
