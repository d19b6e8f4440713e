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

describe('charts/portico, rendered by helm', () => {
  const render = async (release: string, namespace: string, ...set: string[]): Promise<ManifestObject[]> => {
    const text = await helmTemplate(helm, [release, CHART, '--namespace', namespace, '--kube-version', kubeVersion, ...set.flatMap((s) => ['--set', s])]);
    return parseAllDocuments(text)
      .map((d) => d.toJS() as ManifestObject | null)
      .filter((o): o is ManifestObject => o !== null);
  };

  it('is accepted by the API server for both fleet kinds', async () => {
    await applier.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'portico-helm' } });
    const daemonSet = await render('portico-helm', 'portico-helm', 'ingressClass.name=portico-helm');
    expect(daemonSet.map((o) => o.kind)).toContain('DaemonSet');
    await applyAll(daemonSet);
    const deployment = await render('portico-helm', 'portico-helm', 'ingressClass.name=portico-helm', 'envoy.kind=Deployment', 'operator.envoyService=portico-helm/envoy');
    expect(deployment.filter((o) => o.metadata.name === 'envoy').map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
    await applyAll(deployment);
    const parameters = deployment.find((o) => o.kind === 'IngressClassParameters');
    expect(parameters?.['spec']).toMatchObject({ statusAddress: { service: { namespace: 'portico-helm', name: 'envoy' } } });
    await expect(render('x', 'x', 'envoy.kind=Sidecar')).rejects.toThrow(/envoy.kind must be DaemonSet or Deployment/);
  }, 60_000);

  it('wires mutual TLS on the xDS channel: the operator names its Service, the Envoys mount their fleet\'s client Secret, or the ones given', async () => {
    const podSpec = (objects: ManifestObject[], kind: string, name: string): { containers: Array<{ args: string[]; volumeMounts?: unknown[] }>; volumes: Array<{ name: string; secret?: { secretName: string } }> } =>
      (objects.find((o) => o.kind === kind && o.metadata.name === name)?.['spec'] as { template: { spec: never } }).template.spec;
    const byDefault = await render('edge', 'edge-system', 'ingressClass.name=edge');
    expect(podSpec(byDefault, 'Deployment', 'edge').containers[0]?.args).toContain('--xds-service=edge');
    expect(podSpec(byDefault, 'DaemonSet', 'envoy').volumes.find((v) => v.name === 'xds-tls')?.secret?.secretName).toBe('portico-xds-client-edge');
    const bootstrap = byDefault.find((o) => o.kind === 'ConfigMap')?.['data'] as Record<string, string>;
    expect(bootstrap['xds-trusted-ca.yaml']).toContain('exact: edge.edge-system.svc');
    expect(bootstrap['envoy.yaml']).toContain('sni: edge.edge-system.svc');
    const own = await render('edge', 'edge-system', 'ingressClass.name=edge', 'operator.xds.tlsSecret=xds-server-cert', 'envoy.xdsClientSecret=edge-envoy-cert');
    const operator = podSpec(own, 'Deployment', 'edge');
    expect(operator.containers[0]?.args).toContain('--xds-tls-dir=/etc/portico/xds-server-tls');
    expect(operator.containers[0]?.args).not.toContain('--xds-service=edge');
    expect(operator.volumes.find((v) => v.name === 'xds-server-tls')?.secret?.secretName).toBe('xds-server-cert');
    expect(podSpec(own, 'DaemonSet', 'envoy').volumes.find((v) => v.name === 'xds-tls')?.secret?.secretName).toBe('edge-envoy-cert');
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
    same('ConfigMap', 'envoy-bootstrap', (o) => o['data']);
    const podSpec = (o: ManifestObject): unknown => (o['spec'] as { template: { spec: unknown } }).template.spec;
    same('Deployment', 'portico', podSpec);
    same('DaemonSet', 'envoy', podSpec);
    same('Service', 'portico', (o) => o['spec']);
    same('IngressClass', 'portico', (o) => o['spec']);
    same('IngressClassParameters', 'portico', (o) => o['spec']);
    for (const file of ['portico.dev_ingressclassparameters.yaml', 'portico.dev_clusteringressclassparameters.yaml']) {
      expect(readFileSync(join(CHART, 'crds', file), 'utf8'), file).toBe(readFileSync(join(CRDS, file), 'utf8'));
    }
    const cloud = await render('portico', 'portico-system', 'envoy.kind=Deployment');
    const cloudConfig = configObjects().filter((o) => o.file.includes(join('envoy', 'deployment')));
    const specOf = (o: ManifestObject): unknown => (o.kind === 'Deployment' ? podSpec(o) : o['spec']);
    for (const object of cloudConfig) {
      expect(specOf(find(cloud, object.kind, object.metadata.name)), `${object.kind} envoy`).toEqual(specOf(object));
    }
    // The cloud Component points Ingress status at the Envoy Service, as the chart does.
    const component = parse(readFileSync(join(CONFIG, 'cloud', 'kustomization.yaml'), 'utf8')) as { patches: Array<{ patch: string }> };
    const statusPatch = component.patches.map((p) => parse(p.patch) as { spec?: { statusAddress?: unknown } }).find((p) => p.spec?.statusAddress);
    expect(find(cloud, 'IngressClassParameters', 'portico')['spec']).toMatchObject({ statusAddress: statusPatch?.spec?.statusAddress });
  }, 60_000);
});
