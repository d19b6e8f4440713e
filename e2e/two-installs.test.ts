// Two installs of the Helm chart in one cluster — and in one namespace, the harder case — on a real
// kube-apiserver: both releases apply without a name in common, and two operators run in-process
// exactly as their Deployments would (the rendered --controller-name, Lease name and xDS Secret
// prefix; each under its own release's ServiceAccount and RBAC). Each serves only its class: its
// Ingress gets that install's address and Event, its parameters that install's status, its fleet
// that install's client Secret; and once settled nothing is written any more (two leaders each
// serving both classes used to rewrite the same Ingress status several times a second).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, CoordinationV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createLogger } from '../observability/src/index.js';
import { requestJson } from '../operator/src/kube/kube-http.js';
import { startClusterMode } from '../operator/src/serve/cluster-mode.js';
import type { ClusterMode } from '../operator/src/serve/cluster-mode.js';
import { startControlPlane } from './harness/control-plane.js';
import type { ControlPlane } from './harness/control-plane.js';
import { ensureHelm, helmTemplate } from './harness/helm.js';
import { REPO_ROOT } from './support/portico-process.js';
import { ServerSideApplier } from './support/server-side-apply.js';
import type { ManifestObject } from './support/server-side-apply.js';

const CHART = join(REPO_ROOT, 'charts', 'portico');
const NAMESPACE = 'portico-system';
const APPS = 'shop';

interface Install {
  release: string;
  ingressClass: string;
  address: string;
  objects: ManifestObject[];
  args: string[];
  operator?: ClusterMode;
}

const installs: Install[] = [
  { release: 'portico', ingressClass: 'portico', address: '192.0.2.1', objects: [], args: [] },
  { release: 'portico2', ingressClass: 'portico2', address: '192.0.2.2', objects: [], args: [] },
];

let plane: ControlPlane;
let admin: KubeConfig;

beforeAll(async () => {
  let helm: string;
  [plane, helm] = await Promise.all([startControlPlane(), ensureHelm()]);
  admin = plane.kubeConfig();
  const version = ((await requestJson(admin, 'GET', '/version', AbortSignal.timeout(10_000))) as { gitVersion: string }).gitVersion;
  for (const install of installs) {
    const text = await helmTemplate(helm, [
      install.release, CHART, '--namespace', NAMESPACE, '--kube-version', version,
      '--set', `ingressClass.name=${install.ingressClass}`,
      '--set', `ingressClass.parameters.spec.statusAddress.addresses[0]=${install.address}`,
      '--set', 'admission.enabled=false',
    ]);
    install.objects = parseAllDocuments(text).map((d) => d.toJS() as ManifestObject | null).filter((o): o is ManifestObject => o !== null);
    const operator = install.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === install.release);
    install.args = (operator?.['spec'] as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec.containers[0]?.args ?? [];
  }
}, 600_000);

afterAll(async () => {
  for (const install of installs) await install.operator?.stop(500);
  await plane?.stop();
});

function flag(install: Install, name: string): string {
  const value = install.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (value === undefined) throw new Error(`${install.release}: no --${name} in ${install.args.join(' ')}`);
  return value;
}

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

describe('two Helm releases in one namespace', () => {
  it('render disjoint objects with their own controller names, and the API server accepts both, each under its own field manager', async () => {
    const key = (o: ManifestObject): string => `${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const [one, two] = installs.map((i) => i.objects.filter((o) => o.kind !== 'CustomResourceDefinition').map(key)) as [string[], string[]];
    expect(one.filter((k) => two.includes(k))).toEqual([]);
    expect(installs.map((i) => flag(i, 'controller-name'))).toEqual(['portico.dev/ingress-controller', 'portico.dev/portico-system/portico2']);

    await new ServerSideApplier(admin, 'e2e').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } });
    await new ServerSideApplier(admin, 'e2e').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: APPS } });
    for (const install of installs) {
      // A name both releases used would be a conflict between two managers, not a silent merge.
      const applier = new ServerSideApplier(admin, `helm-${install.release}`);
      const crds = install.objects.filter((o) => o.kind === 'CustomResourceDefinition');
      for (const crd of crds) await applier.apply(crd);
      for (const crd of crds) {
        await until(`CRD ${crd.metadata.name}`, async () => {
          const got = (await requestJson(admin, 'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`, AbortSignal.timeout(10_000))) as { status?: { conditions?: Array<{ type: string; status: string }> } };
          return got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
        });
      }
      applier.refresh();
      for (const object of install.objects.filter((o) => o.kind !== 'CustomResourceDefinition')) await applier.apply(object);
    }
  }, 120_000);

  it('run as two operators: each serves, writes status and Events for, and issues Secrets to its own class only; then all is quiet', async () => {
    const logger = createLogger({ level: 'warn' });
    for (const install of installs) {
      const token = await plane.serviceAccountToken(NAMESPACE, install.release);
      const kubeconfig = plane.writeKubeconfig(`${install.release}-operator`, token);
      // As the rendered Deployment runs it: `portico serve` with these flags, under the release's RBAC.
      install.operator = await until(`${install.release}'s operator to start under its RBAC`, () =>
        startClusterMode({
          kubeconfig,
          xdsAddress: '127.0.0.1:0',
          healthAddress: '127.0.0.1:0',
          logger,
          leaderElection: { namespace: NAMESPACE, name: flag(install, 'leader-election-name') },
          ownership: { controllerName: flag(install, 'controller-name') },
          xdsTls: { kind: 'ca-secret', namespace: NAMESPACE, serverNames: ['localhost'], secretPrefix: flag(install, 'xds-secret-prefix'), checkEveryMs: 200 },
        }),
      );
    }
    expect(installs.map((i) => i.operator?.fleets().map((f) => f.fleet))).toEqual([['portico'], ['portico2']]);

    const networking = admin.makeApiClient(NetworkingV1Api);
    for (const install of installs) {
      await networking.createNamespacedIngress({
        namespace: APPS,
        body: {
          metadata: { name: `web-${install.ingressClass}` },
          // The Service is missing on purpose: an error diagnostic, so an Event.
          spec: { ingressClassName: install.ingressClass, defaultBackend: { service: { name: `missing-${install.ingressClass}`, port: { number: 80 } } } },
        },
      });
    }

    // Ingress status: each install's own address, from its own parameters.
    for (const install of installs) {
      const ingress = await until(`status of web-${install.ingressClass}`, async () => {
        const got = await networking.readNamespacedIngress({ namespace: APPS, name: `web-${install.ingressClass}` });
        return got.status?.loadBalancer?.ingress?.length ? got : undefined;
      });
      expect(ingress.status?.loadBalancer?.ingress).toEqual([{ ip: install.address }]);
    }

    // Events: one per Ingress, about its own missing Service, written once (a second writer would bump the count).
    const core = admin.makeApiClient(CoreV1Api);
    const events = await until('an Event on each Ingress', async () => {
      const list = (await core.listNamespacedEvent({ namespace: APPS })).items;
      return installs.every((i) => list.some((e) => e.involvedObject.name === `web-${i.ingressClass}`)) ? list : undefined;
    });
    for (const install of installs) {
      const mine = events.filter((e) => e.involvedObject.name === `web-${install.ingressClass}`);
      expect(mine.map((e) => [e.reason, e.count])).toEqual([['ConfigurationError', 1]]);
      expect(mine[0]?.message).toContain(`missing-${install.ingressClass}`);
    }

    // Parameters status: each object says its own class, Accepted.
    for (const install of installs) {
      const path = `/apis/portico.dev/v1alpha1/namespaces/${NAMESPACE}/ingressclassparameters/${install.ingressClass}`;
      const status = await until(`status of parameters ${install.ingressClass}`, async () => {
        const got = (await requestJson(admin, 'GET', path, AbortSignal.timeout(10_000))) as { status?: { ingressClasses?: string[]; conditions?: Array<{ type: string; reason: string }> } };
        return got.status?.ingressClasses?.length ? got.status : undefined;
      });
      expect(status).toMatchObject({ ingressClasses: [install.ingressClass], conditions: [{ type: 'Accepted', reason: 'Accepted' }] });
    }

    // xDS Secrets: each install's CA and its own fleet's client Secret, none for the other's fleet.
    const secretNames = async (): Promise<string[]> =>
      (await core.listNamespacedSecret({ namespace: NAMESPACE })).items.map((s) => s.metadata?.name ?? '').filter((n) => n.includes('-xds-')).sort();
    await until('both client Secrets', async () => ((await secretNames()).length >= 4 ? true : undefined));
    expect(await secretNames()).toEqual(['portico-xds-ca', 'portico-xds-client-portico', 'portico2-xds-ca', 'portico2-xds-client-portico2']);

    // Each holds its own Lease.
    const coordination = admin.makeApiClient(CoordinationV1Api);
    for (const install of installs) {
      const lease = await coordination.readNamespacedLease({ namespace: NAMESPACE, name: `${install.release}-leader` });
      expect(lease.spec?.holderIdentity).toBeTruthy();
    }

    // Quiet: for 3 s nothing is written (resourceVersions unchanged), where two leaders fought before.
    const versions = async (): Promise<string[]> => [
      ...(await Promise.all(installs.map(async (i) => (await networking.readNamespacedIngress({ namespace: APPS, name: `web-${i.ingressClass}` })).metadata?.resourceVersion ?? ''))),
      ...(await Promise.all(installs.map(async (i) => ((await requestJson(admin, 'GET', `/apis/portico.dev/v1alpha1/namespaces/${NAMESPACE}/ingressclassparameters/${i.ingressClass}`, AbortSignal.timeout(10_000))) as { metadata: { resourceVersion: string } }).metadata.resourceVersion))),
      ...(await core.listNamespacedEvent({ namespace: APPS })).items.map((e) => `${e.metadata?.name}@${e.metadata?.resourceVersion}`).sort(),
    ];
    const before = await versions();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await versions()).toEqual(before);
    expect(installs.map((i) => i.operator?.isLeader())).toEqual([true, true]);
  }, 120_000);
});
