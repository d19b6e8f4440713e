// The install manifests against a real kube-apiserver: every file of config/ and crds/ (found
// through the kustomizations, since kustomize is not installed) and the Helm chart rendered by a
// real helm are applied with server-side apply and strict field validation, so a manifest the
// API server refuses fails here. Then the CRD's own validation: bad IngressClassParameters are
// refused with a clear message, by the schema and by the CEL rules; and the operator's watch and
// parameters status writer work with the installed CRDs under the installed RBAC.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { KubeHttpError, requestJson } from '../operator/src/kube/kube-http.js';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import { ClusterSource } from '../operator/src/sources/kubernetes/cluster-source.js';
import { writeParametersStatus } from '../operator/src/status/parameters-status-writer.js';
import type { ParametersStatus } from '../operator/src/store/parameters-objects.js';
import { DEFAULT_PARAMETERS_SPEC } from '../operator/src/translate/parameters/parameters-spec.js';
import { startControlPlane } from './harness/control-plane.js';
import type { ControlPlane } from './harness/control-plane.js';
import { ensureHelm, helmTemplate } from './harness/helm.js';
import { kustomizationResources, manifestObjects, yamlFilesUnder } from './support/kustomization.js';
import { REPO_ROOT } from './support/portico-process.js';
import { ServerSideApplier } from './support/server-side-apply.js';
import type { ManifestObject } from './support/server-side-apply.js';

const CONFIG = join(REPO_ROOT, 'config');
const CRDS = join(REPO_ROOT, 'crds');
const CHART = join(REPO_ROOT, 'charts', 'portico');
const GROUP_VERSION = '/apis/portico.dev/v1alpha1';
const quiet = { info: () => {}, warn: () => {} };

let plane: ControlPlane;
let admin: KubeConfig;
let applier: ServerSideApplier;
let helm: string;
let kubeVersion: string;

beforeAll(async () => {
  [plane, helm] = await Promise.all([startControlPlane(), ensureHelm()]);
  admin = plane.kubeConfig();
  applier = new ServerSideApplier(admin, 'portico-e2e');
  kubeVersion = ((await requestJson(admin, 'GET', '/version', AbortSignal.timeout(10_000))) as { gitVersion: string }).gitVersion;
}, 600_000);

afterAll(async () => {
  await plane?.stop();
});

function configObjects(): Array<ManifestObject & { file: string }> {
  const files = [...new Set([...kustomizationResources(CONFIG), ...kustomizationResources(join(CONFIG, 'cloud'))])];
  return manifestObjects(files);
}

/** The object as its manifest says, without the file it was read from. */
function withoutFile(object: ManifestObject & { file?: string }): ManifestObject {
  const copy: ManifestObject & { file?: string } = { ...object };
  delete copy.file;
  return copy;
}

/** CRDs first (and established), then namespaces, then the rest: the order kubectl needs too. */
async function applyAll(objects: readonly ManifestObject[]): Promise<void> {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  for (const crd of crds) await applier.apply(withoutFile(crd));
  for (const crd of crds) await until(async () => established(crd.metadata.name), `CRD ${crd.metadata.name} established`);
  applier.refresh();
  for (const object of objects.filter((o) => o.kind === 'Namespace')) await applier.apply(withoutFile(object));
  for (const object of objects.filter((o) => o.kind !== 'CustomResourceDefinition' && o.kind !== 'Namespace')) {
    try {
      await applier.apply(withoutFile(object));
    } catch (error) {
      throw new Error(`${object.kind} ${object.metadata.name} (${(object as { file?: string }).file ?? 'rendered chart'}) was refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

async function established(name: string): Promise<boolean> {
  const crd = (await requestJson(admin, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, AbortSignal.timeout(10_000))) as {
    status?: { conditions?: Array<{ type: string; status: string }> };
  };
  return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
}

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Applies a parameters object that must be refused; returns the API server's status and message. */
async function refused(spec: object, kind: 'IngressClassParameters' | 'ClusterIngressClassParameters' = 'IngressClassParameters'): Promise<{ status: number; message: string }> {
  const metadata = kind === 'IngressClassParameters' ? { name: 'bad', namespace: 'portico-system' } : { name: 'bad' };
  try {
    await applier.apply({ apiVersion: 'portico.dev/v1alpha1', kind, metadata, spec });
  } catch (error) {
    if (error instanceof KubeHttpError) return { status: error.statusCode, message: error.message };
    throw error;
  }
  throw new Error(`the API server accepted ${JSON.stringify(spec)}`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('config/ and crds/', () => {
  it('reach every manifest file through config/kustomization.yaml and the cloud Component', () => {
    const reached = new Set([...kustomizationResources(CONFIG), ...kustomizationResources(join(CONFIG, 'cloud'))]);
    const all = [...yamlFilesUnder(CONFIG), ...yamlFilesUnder(CRDS)].filter((f) => !f.endsWith('/kustomization.yaml'));
    expect(all.filter((f) => !reached.has(f))).toEqual([]);
  });

  it('are all accepted by the API server with server-side apply; the watch picks the CRDs up once installed', async () => {
    // Started before the CRDs exist: the parameters kinds count as empty instead of blocking.
    const source = new ClusterSource({ kc: admin, log: quiet, onChange: () => {} });
    source.start();
    try {
      await until(() => source.hasSynced, 'the cluster source to sync without the CRDs');
      await applyAll(configObjects());
      await until(() => source.snapshot().ingressClassParameters.length === 1, 'the sample IngressClassParameters through the watch', 60_000);
      expect(source.snapshot().ingressClassParameters[0]?.metadata).toMatchObject({ name: 'portico', namespace: 'portico-system' });
    } finally {
      await source.stop();
    }
    const sample = (await requestJson(admin, 'GET', `${GROUP_VERSION}/namespaces/portico-system/ingressclassparameters/portico`, AbortSignal.timeout(10_000))) as { spec: object };
    // The API server filled in every default the sample left out.
    expect(sample.spec).toMatchObject({ requestLimits: DEFAULT_PARAMETERS_SPEC.requestLimits, tls: DEFAULT_PARAMETERS_SPEC.tls, timeouts: { requestHeaders: '10s' } });
  }, 120_000);

  it('default `spec: {}` exactly as the translator does', async () => {
    for (const kind of ['IngressClassParameters', 'ClusterIngressClassParameters'] as const) {
      const metadata = kind === 'IngressClassParameters' ? { name: 'empty', namespace: 'portico-system' } : { name: 'empty' };
      const stored = (await applier.apply({ apiVersion: 'portico.dev/v1alpha1', kind, metadata, spec: {} })) as { spec: object };
      expect(stored.spec).toEqual(DEFAULT_PARAMETERS_SPEC);
    }
    const bare = (await applier.apply({ apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name: 'no-spec' } })) as { spec: object };
    expect(bare.spec).toEqual(DEFAULT_PARAMETERS_SPEC);
  });

  it('refuse bad IngressClassParameters with a message naming the field: OpenAPI schema', async () => {
    const cases: Array<[object, string, string]> = [
      [{ listeners: { http: { port: 70000 } } }, 'spec.listeners.http.port', 'Invalid value: 70000: spec.listeners.http.port in body should be less than or equal to 65535'],
      [{ accessLog: { format: 'xml' } }, 'spec.accessLog.format', 'Unsupported value: "xml": supported values: "Text", "JSON"'],
      [{ timeouts: { connect: '5 seconds' } }, 'spec.timeouts.connect', `in body should match '^([0-9]{1,5}(h|m|s|ms)){1,4}$'`],
      [{ requestLimits: { maxRequestHeadersKiB: 0 } }, 'spec.requestLimits.maxRequestHeadersKiB', 'in body should be greater than or equal to 1'],
      [{ requestLimits: { maxBodySize: '1m' } }, 'spec.requestLimits.maxBodySize', 'in body should match'],
      [{ fleet: 'Not_OK!' }, 'spec.fleet', 'in body should match'],
      [{ statusAddress: { service: { name: 'envoy' } } }, 'spec.statusAddress.service.namespace', 'Required value'],
      [{ timeouts: { backendIdle: '60' } }, 'spec.timeouts.backendIdle', 'in body should match'],
      [{ retries: { on: ['retriable-4xx'] } }, 'spec.retries.on[0]', 'Unsupported value: "retriable-4xx"'],
      [{ retries: { tries: 0 } }, 'spec.retries.tries', 'in body should be greater than or equal to 1'],
      [{ redirects: { statusCode: 303 } }, 'spec.redirects.statusCode', 'Unsupported value: 303'],
    ];
    for (const [spec, field, message] of cases) {
      const error = await refused(spec);
      expect(error.status, JSON.stringify(spec)).toBe(422);
      expect(error.message, JSON.stringify(spec)).toContain(`${field}: `);
      expect(error.message, JSON.stringify(spec)).toContain(message);
    }
    // Server-side apply refuses fields the schema does not declare (a typo never passes silently).
    const unknown = await refused({ timeout: { connect: '1s' } });
    expect(unknown.message).toContain('.spec.timeout: field not declared in schema');
  });

  it('refuse bad IngressClassParameters with a message naming the field: CEL rules', async () => {
    const cases: Array<[object, string, string]> = [
      [{ listeners: { https: { port: 8080 } } }, 'spec.listeners.https.port', 'listeners.https.port must differ from listeners.http.port'],
      [{ listeners: { http: { port: 9000 }, https: { port: 9000 } } }, 'spec.listeners.https.port', 'listeners.https.port must differ from listeners.http.port'],
      [{ statusAddress: { service: { namespace: 'a', name: 'b' }, addresses: ['192.0.2.1'] } }, 'spec.statusAddress', 'set exactly one of service or addresses'],
      [{ statusAddress: {} }, 'spec.statusAddress', 'set exactly one of service or addresses'],
      [{ timeouts: { connect: '0s' } }, 'spec.timeouts.connect', 'must be greater than 0s'],
      [{ listeners: { http: { address: 'localhost' } } }, 'spec.listeners.http.address', 'must be an IP address'],
      [{ statusAddress: { addresses: ['Not A Host'] } }, 'spec.statusAddress.addresses[0]', 'must be an IP address or a lowercase DNS name'],
      [{ requestLimits: { maxBodySize: '5Gi' } }, 'spec.requestLimits.maxBodySize', 'must be less than 4Gi'],
      [{ retries: { on: ['reset', 'connect-failure', 'reset'] } }, 'spec.retries.on', 'must not list a condition twice'],
    ];
    for (const [spec, field, message] of cases) {
      for (const kind of ['IngressClassParameters', 'ClusterIngressClassParameters'] as const) {
        const error = await refused(spec, kind);
        expect(error.status, `${kind} ${JSON.stringify(spec)}`).toBe(422);
        expect(error.message, `${kind} ${JSON.stringify(spec)}`).toMatch(new RegExp(`${escapeRegExp(field)}: Invalid value: (?:"[^"]*": )?${escapeRegExp(message)}`));
      }
    }
  });

  it('let the operator (its ServiceAccount, under config/rbac) read parameters and write their status', async () => {
    const token = await plane.serviceAccountToken('portico-system', 'portico');
    const operator = plane.kubeConfig(token);
    // A second class whose parameters claim the sample class's fleet: a conflict its status reports.
    await applier.apply({ apiVersion: 'portico.dev/v1alpha1', kind: 'ClusterIngressClassParameters', metadata: { name: 'copycat' }, spec: { fleet: 'portico' } });
    await applier.apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'copycat' },
      spec: { controller: 'portico.dev/ingress-controller', parameters: { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: 'copycat', scope: 'Cluster' } },
    });
    const source = new ClusterSource({ kc: operator, log: quiet, onChange: () => {} });
    source.start();
    try {
      await until(() => source.hasSynced && source.snapshot().clusterIngressClassParameters.some((p) => p.metadata.name === 'copycat') && source.snapshot().ingressClasses.length === 2, 'the operator to list everything', 60_000);
      const state = source.snapshot();
      let result = await writeParametersStatus(operator, state, buildEnvoyConfig(state).classes, AbortSignal.timeout(10_000));
      // RBAC follows new bindings a moment later; a retry covers that.
      for (let i = 0; i < 20 && result.failed.length > 0; i++) {
        await new Promise((r) => setTimeout(r, 250));
        result = await writeParametersStatus(operator, state, buildEnvoyConfig(state).classes, AbortSignal.timeout(10_000));
      }
      expect(result.failed).toEqual([]);
      expect(result.written).toContain('IngressClassParameters portico-system/portico');
    } finally {
      await source.stop();
    }
    const statusOf = async (path: string): Promise<ParametersStatus> => ((await requestJson(admin, 'GET', path, AbortSignal.timeout(10_000))) as { status: ParametersStatus }).status;
    expect(await statusOf(`${GROUP_VERSION}/namespaces/portico-system/ingressclassparameters/portico`)).toMatchObject({
      ingressClasses: ['portico'],
      conditions: [{ type: 'Accepted', status: 'True', reason: 'Accepted', message: 'in use by IngressClass portico', observedGeneration: 1 }],
    });
    expect(await statusOf(`${GROUP_VERSION}/clusteringressclassparameters/copycat`)).toMatchObject({
      ingressClasses: ['copycat'],
      conditions: [{ type: 'Accepted', status: 'False', reason: 'Conflict' }],
    });
  }, 120_000);
});

async function renderChart(release: string, namespace: string, helmArgs: readonly string[], ...set: string[]): Promise<ManifestObject[]> {
  const text = await helmTemplate(helm, [release, CHART, '--namespace', namespace, ...helmArgs, ...set.flatMap((s) => ['--set', s])]);
  const read = (version: '1.1' | '1.2'): ManifestObject[] =>
    parseAllDocuments(text, { version })
      .map((d) => d.toJS() as ManifestObject | null)
      .filter((o): o is ManifestObject => o !== null);
  // Helm and kubectl read YAML 1.1 (a bare `on` is true, 0440 is octal); these tests read 1.2.
  const objects = read('1.2');
  expect(read('1.1'), 'the rendered chart reads the same as YAML 1.1 and 1.2').toEqual(objects);
  return objects;
}

describe('charts/portico, rendered by helm', () => {
  const render = async (release: string, namespace: string, ...set: string[]): Promise<ManifestObject[]> => renderChart(release, namespace, ['--kube-version', kubeVersion], ...set);

  it('is accepted by the API server for both fleet kinds', async () => {
    await applier.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'portico-helm' } });
    const daemonSet = await render('portico-helm', 'portico-helm', 'ingressClass.name=portico-helm');
    expect(daemonSet.map((o) => o.kind)).toContain('DaemonSet');
    await applyAll(daemonSet);
    const deployment = await render('portico-helm', 'portico-helm', 'ingressClass.name=portico-helm', 'envoy.kind=Deployment', 'operator.envoyService=portico-helm/envoy');
    expect(deployment.filter((o) => o.metadata.name === 'portico-helm-envoy').map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
    await applyAll(deployment);
    const parameters = deployment.find((o) => o.kind === 'IngressClassParameters');
    expect(parameters?.['spec']).toMatchObject({ statusAddress: { service: { namespace: 'portico-helm', name: 'portico-helm-envoy' } } });
    await expect(render('x', 'x', 'envoy.kind=Sidecar')).rejects.toThrow(/envoy.kind must be DaemonSet or Deployment/);
  }, 60_000);

  it('wires mutual TLS on the xDS channel: the operator names its Service, the Envoys mount their fleet\'s client Secret, or the ones given', async () => {
    const podSpec = (objects: ManifestObject[], kind: string, name: string): { containers: Array<{ args: string[]; volumeMounts?: unknown[] }>; volumes: Array<{ name: string; secret?: { secretName: string } }> } =>
      (objects.find((o) => o.kind === kind && o.metadata.name === name)?.['spec'] as { template: { spec: never } }).template.spec;
    const byDefault = await render('edge', 'edge-system', 'ingressClass.name=edge');
    expect(podSpec(byDefault, 'Deployment', 'edge').containers[0]?.args).toContain('--xds-service=edge');
    expect(podSpec(byDefault, 'Deployment', 'edge').containers[0]?.args).toContain('--xds-secret-prefix=edge');
    expect(podSpec(byDefault, 'DaemonSet', 'edge-envoy').volumes.find((v) => v.name === 'xds-tls')?.secret?.secretName).toBe('edge-xds-client-edge');
    const bootstrap = byDefault.find((o) => o.kind === 'ConfigMap')?.['data'] as Record<string, string>;
    expect(bootstrap['xds-trusted-ca.yaml']).toContain('exact: edge.edge-system.svc');
    expect(bootstrap['envoy.yaml']).toContain('sni: edge.edge-system.svc');
    const own = await render('edge', 'edge-system', 'ingressClass.name=edge', 'operator.xds.tlsSecret=xds-server-cert', 'envoy.xdsClientSecret=edge-envoy-cert');
    const operator = podSpec(own, 'Deployment', 'edge');
    expect(operator.containers[0]?.args).toContain('--xds-tls-dir=/etc/portico/xds-server-tls');
    expect(operator.containers[0]?.args).not.toContain('--xds-service=edge');
    expect(operator.volumes.find((v) => v.name === 'xds-server-tls')?.secret?.secretName).toBe('xds-server-cert');
    expect(podSpec(own, 'DaemonSet', 'edge-envoy').volumes.find((v) => v.name === 'xds-tls')?.secret?.secretName).toBe('edge-envoy-cert');
    // The slow-reader deadline: the operator's default unless set.
    expect(podSpec(byDefault, 'Deployment', 'edge').containers[0]?.args.filter((a) => a.startsWith('--xds-write-timeout-ms'))).toEqual([]);
    const patient = await render('edge', 'edge-system', 'ingressClass.name=edge', 'operator.xds.writeTimeoutMs=120000');
    expect(podSpec(patient, 'Deployment', 'edge').containers[0]?.args).toContain('--xds-write-timeout-ms=120000');
    await applier.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge-system' } });
    await applyAll(own);
  }, 60_000);

  it('installs what config/ installs: the same objects, RBAC rules, CRDs, pod specs and Envoy bootstrap', async () => {
    const chart = await render('portico', 'portico-system');
    const config = configObjects().filter((o) => !o.file.includes(`${join('envoy', 'deployment')}`));
    const key = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    expect(chart.map(key).sort()).toEqual(config.filter((o) => o.kind !== 'Namespace').map(key).sort());
    const find = (objects: readonly ManifestObject[], kind: string, name: string): ManifestObject => {
      const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
      if (!found) throw new Error(`no ${kind} ${name}`);
      return found;
    };
    const same = (kind: string, name: string, pick: (o: ManifestObject) => unknown): void => {
      expect(pick(find(chart, kind, name)), `${kind} ${name}`).toEqual(pick(find(config, kind, name)));
    };
    same('ClusterRole', 'portico', (o) => o['rules']);
    same('Role', 'portico-leader-election', (o) => o['rules']);
    same('Role', 'portico-xds-identity', (o) => o['rules']);
    same('RoleBinding', 'portico-xds-identity', (o) => [o['roleRef'], o['subjects']]);
    same('ClusterRoleBinding', 'portico', (o) => [o['roleRef'], o['subjects']]);
    same('CustomResourceDefinition', 'ingressclassparameters.portico.dev', (o) => o['spec']);
    same('CustomResourceDefinition', 'clusteringressclassparameters.portico.dev', (o) => o['spec']);
    same('ConfigMap', 'portico-envoy-bootstrap', (o) => o['data']);
    const podSpec = (o: ManifestObject): unknown => (o['spec'] as { template: { spec: unknown } }).template.spec;
    same('Deployment', 'portico', podSpec);
    same('DaemonSet', 'portico-envoy', podSpec);
    same('Service', 'portico', (o) => o['spec']);
    same('PodDisruptionBudget', 'portico', (o) => o['spec']);
    same('DaemonSet', 'portico-envoy', (o) => (o['spec'] as { selector: unknown }).selector);
    same('Deployment', 'portico', (o) => (o['spec'] as { selector: unknown }).selector);
    same('IngressClass', 'portico', (o) => o['spec']);
    same('IngressClassParameters', 'portico', (o) => o['spec']);
    for (const file of ['portico.dev_ingressclassparameters.yaml', 'portico.dev_clusteringressclassparameters.yaml']) {
      expect(readFileSync(join(CHART, 'crds', file), 'utf8'), file).toBe(readFileSync(join(CRDS, file), 'utf8'));
    }
    const cloud = await render('portico', 'portico-system', 'envoy.kind=Deployment');
    const cloudConfig = configObjects().filter((o) => o.file.includes(join('envoy', 'deployment')));
    const specOf = (o: ManifestObject): unknown => (o.kind === 'Deployment' ? podSpec(o) : o['spec']);
    for (const object of cloudConfig) {
      expect(specOf(find(cloud, object.kind, object.metadata.name)), `${object.kind} ${object.metadata.name}`).toEqual(specOf(object));
    }
    // The cloud Component points Ingress status at the Envoy Service, as the chart does.
    const component = parse(readFileSync(join(CONFIG, 'cloud', 'kustomization.yaml'), 'utf8')) as { patches: Array<{ patch: string }> };
    const statusPatch = component.patches.map((p) => parse(p.patch) as { spec?: { statusAddress?: unknown } }).find((p) => p.spec?.statusAddress);
    expect(find(cloud, 'IngressClassParameters', 'portico')['spec']).toMatchObject({ statusAddress: statusPatch?.spec?.statusAddress });
  }, 60_000);

  it('renders without --kube-version (helm\'s built-in v1.20.0 is no cluster), and refuses a real cluster older than 1.31', async () => {
    const objects = await renderChart('portico', 'portico-system', []);
    expect(objects.map((o) => o.kind)).toContain('DaemonSet');
    await expect(renderChart('portico', 'portico-system', ['--kube-version', '1.30.4'])).rejects.toThrow(/Portico needs Kubernetes 1.31 or newer; this cluster is v1.30.4/);
    await renderChart('portico', 'portico-system', ['--kube-version', '1.31.0']);
  });

  it('gives the Envoys the listener ports of the class\'s parameters, a PriorityClass when asked, and refuses privileged ports', async () => {
    const objects = await render('p', 'p-system', 'ingressClass.parameters.spec.listeners.http.port=9080', 'ingressClass.parameters.spec.listeners.https.port=9443', 'envoy.priorityClassName=system-node-critical', 'operator.priorityClassName=high');
    type Pod = { priorityClassName?: string; containers: Array<{ ports?: Array<{ name: string; containerPort: number; hostPort?: number }> }> };
    const pod = (kind: string, name: string): Pod => (objects.find((o) => o.kind === kind && o.metadata.name === name)?.['spec'] as { template: { spec: Pod } }).template.spec;
    expect(pod('DaemonSet', 'p-envoy').containers[0]?.ports).toEqual([
      { name: 'http', containerPort: 9080, hostPort: 80, protocol: 'TCP' },
      { name: 'https', containerPort: 9443, hostPort: 443, protocol: 'TCP' },
    ]);
    expect(objects.find((o) => o.kind === 'IngressClassParameters')?.['spec']).toMatchObject({ listeners: { http: { port: 9080 }, https: { port: 9443 } } });
    expect(pod('DaemonSet', 'p-envoy').priorityClassName).toBe('system-node-critical');
    expect(pod('Deployment', 'p').priorityClassName).toBe('high');
    await expect(render('p', 'p-system', 'ingressClass.parameters.spec.listeners.http.port=80')).rejects.toThrow(/ports must be 1024 or above/);
  });

  it('names every object of a release after it, so two releases in one namespace (or of one name in two) share nothing', async () => {
    const key = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    // The admission webhook's objects (templates/admission.yaml) are checked by their own suite.
    const crd = (o: ManifestObject): boolean =>
      o.kind === 'CustomResourceDefinition' || (o.metadata as { labels?: Record<string, string> }).labels?.['app.kubernetes.io/component'] === 'admission';
    const one = (await render('portico', 'portico-system')).filter((o) => !crd(o));
    const two = (await render('portico2', 'portico-system', 'ingressClass.name=portico2')).filter((o) => !crd(o));
    const elsewhere = (await render('portico', 'portico-two', 'ingressClass.name=portico3')).filter((o) => !crd(o));
    expect(two.map(key).filter((k) => one.map(key).includes(k))).toEqual([]);
    expect(elsewhere.map(key).filter((k) => one.map(key).includes(k))).toEqual([]);
    const controller = (objects: ManifestObject[]): unknown => (objects.find((o) => o.kind === 'IngressClass')?.['spec'] as { controller: string }).controller;
    expect(controller(one)).toBe('portico.dev/ingress-controller');
    expect(controller(two)).toBe('portico.dev/portico-system/portico2');
    expect(controller(elsewhere)).toBe('portico.dev/portico-two/portico');
    const args = (objects: ManifestObject[], name: string): string[] =>
      (objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)?.['spec'] as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec.containers[0]?.args ?? [];
    expect(args(two, 'portico2')).toEqual(expect.arrayContaining(['--controller-name=portico.dev/portico-system/portico2', '--leader-election-name=portico2-leader', '--xds-secret-prefix=portico2']));
    const set = await render('portico2', 'portico-system', 'controllerName=example.com/edge');
    expect(controller(set)).toBe('example.com/edge');
    // Selectors name the release: one release's Services and budgets never count the other's pods.
    for (const object of two.filter((o) => o.kind === 'Service' || o.kind === 'PodDisruptionBudget' || o.kind === 'Deployment' || o.kind === 'DaemonSet')) {
      const spec = object['spec'] as { selector: Record<string, unknown> & { matchLabels?: Record<string, string> } };
      const labels = spec.selector.matchLabels ?? spec.selector;
      expect(labels, key(object)).toMatchObject({ 'app.kubernetes.io/instance': 'portico2' });
    }
  });
});
