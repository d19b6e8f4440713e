// Proves the e2e foundation: a real kube-apiserver + etcd (built from the Go module proxy, see
// e2e/apiserver/) stores and validates the resources Portico watches, survives an API server
// restart, and authenticates both admin and ServiceAccount tokens under RBAC.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  VersionApi,
  type V1Ingress,
} from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from './harness/control-plane.js';

const NS = 'portico-e2e';

/** Runs a request that must fail; returns its HTTP code and the API server's Status message. */
async function apiError(request: () => Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request();
  } catch (err) {
    const { code, body } = err as { code?: number; body?: unknown };
    return { code: code ?? 0, message: statusMessage(body) ?? String(err) };
  }
  throw new Error('request unexpectedly succeeded');
}

/** The `message` of a Kubernetes Status body, which client-node passes on as a string or object. */
function statusMessage(body: unknown): string | undefined {
  let status = body;
  if (typeof body === 'string') {
    try {
      status = JSON.parse(body);
    } catch {
      return body || undefined;
    }
  }
  return (status as { message?: string } | null | undefined)?.message;
}

function ingress(name: string, host: string): V1Ingress {
  return {
    metadata: { name, namespace: NS },
    spec: {
      ingressClassName: 'portico',
      rules: [
        {
          host,
          http: {
            paths: [
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  };
}

describe('real kube-apiserver + etcd', () => {
  let cp: ControlPlane;
  let core: CoreV1Api;
  let net: NetworkingV1Api;
  let discovery: DiscoveryV1Api;

  beforeAll(async () => {
    // Binaries come from globalSetup / `make apiserver-binaries`; starting is a few seconds, but
    // allow for a loaded 2-core machine.
    cp = await startControlPlane({ users: [{ name: 'nobody', groups: ['portico:unbound'] }] });
    // Through the written kubeconfig file, as the operator's --kubeconfig will read it.
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    net = kc.makeApiClient(NetworkingV1Api);
    discovery = kc.makeApiClient(DiscoveryV1Api);
  }, 180_000);

  afterAll(async () => {
    await cp?.stop();
  });

  it('reports a real, stamped version over TLS trusted via the kubeconfig CA', async () => {
    const version = await cp.kubeConfig().makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(cp.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('stores IngressClass, Namespace, Service, EndpointSlice and Ingress', async () => {
    await net.createIngressClass({
      body: { metadata: { name: 'portico' }, spec: { controller: 'portico.dev/ingress-controller' } },
    });
    await core.createNamespace({ body: { metadata: { name: NS } } });
    const svc = await core.createNamespacedService({
      namespace: NS,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    });
    // The apiserver itself allocates ClusterIPs from --service-cluster-ip-range.
    expect(svc.spec?.clusterIP).toMatch(/^10\.0\.0\.\d+$/);
    // No controller-manager: EndpointSlices are written by hand. Loopback addresses are invalid.
    await discovery.createNamespacedEndpointSlice({
      namespace: NS,
      body: {
        metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.1.0.10'], conditions: { ready: true } }],
      },
    });
    await net.createNamespacedIngress({ namespace: NS, body: ingress('web', 'web.example.com') });

    expect((await net.readIngressClass({ name: 'portico' })).spec?.controller).toBe('portico.dev/ingress-controller');
    expect((await core.readNamespacedService({ namespace: NS, name: 'web' })).spec?.ports?.[0]?.targetPort).toBe(8080);
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: NS,
      labelSelector: 'kubernetes.io/service-name=web',
    });
    expect(slices.items.map((s) => s.endpoints[0]?.addresses)).toEqual([['10.1.0.10']]);
    const read = await net.readNamespacedIngress({ namespace: NS, name: 'web' });
    expect(read.spec?.rules?.[0]?.host).toBe('web.example.com');
    expect(read.metadata?.resourceVersion).toBeTruthy();
  });

  it('rejects an invalid Ingress with the API server’s validation message', async () => {
    const bad = ingress('bad', 'bad.example.com');
    const path = bad.spec?.rules?.[0]?.http?.paths[0];
    if (path) delete (path as { pathType?: string }).pathType;
    const err = await apiError(() => net.createNamespacedIngress({ namespace: NS, body: bad }));
    expect(err.code).toBe(422);
    expect(err.message).toContain('pathType: Required value');

    const loopback = await apiError(() =>
      discovery.createNamespacedEndpointSlice({
        namespace: NS,
        body: {
          metadata: { name: 'lo' },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['127.0.0.1'] }],
        },
      }),
    );
    expect(loopback.code).toBe(422);
    expect(loopback.message).toMatch(/loopback/);
  });

  it('keeps its data when kube-apiserver is killed and restarted', async () => {
    const before = await net.readNamespacedIngress({ namespace: NS, name: 'web' });
    await cp.restartApiServer();
    // Same URL, same CA: the clients made before the restart keep working.
    const after = await net.readNamespacedIngress({ namespace: NS, name: 'web' });
    expect(after.metadata?.uid).toBe(before.metadata?.uid);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect((await discovery.readNamespacedEndpointSlice({ namespace: NS, name: 'web-1' })).endpoints).toHaveLength(1);
  }, 120_000);

  it('authenticates a ServiceAccount token and enforces exactly its ClusterRole', async () => {
    const rbac = cp.kubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.createClusterRole({
      body: {
        metadata: { name: 'portico-e2e-reader' },
        rules: [{ apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: 'portico-e2e-reader' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'portico-e2e-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'operator', namespace: NS }],
      },
    });
    const saToken = await cp.serviceAccountToken(NS, 'operator');
    const kc = new KubeConfig();
    kc.loadFromFile(cp.writeKubeconfig('operator', saToken));

    const list = await kc.makeApiClient(NetworkingV1Api).listIngressForAllNamespaces();
    expect(list.items.map((i) => i.metadata?.name)).toContain('web');
    const denied = await apiError(() => kc.makeApiClient(CoreV1Api).listSecretForAllNamespaces());
    expect(denied.code).toBe(403);
    expect(denied.message).toContain('system:serviceaccount:portico-e2e:operator');
  });

  it('authenticates static-token users without granting them anything', async () => {
    const token = cp.userTokens.get('nobody') ?? '';
    const denied = await apiError(() => cp.kubeConfig(token).makeApiClient(NetworkingV1Api).listIngressClass());
    expect(denied.code).toBe(403);
    expect(denied.message).toContain('"nobody"');
    const anonymous = await apiError(() => cp.kubeConfig('not-a-token').makeApiClient(CoreV1Api).listNamespace());
    expect(anonymous.code).toBe(401);
  });
});
