// Shared setup for the cluster-mode e2e files: a real API server with config/rbac applied, the
// operator running in-process (startClusterMode) under the portico-system/portico ServiceAccount,
// never as admin, so a permission missing from config/rbac fails a test, and small polling
// helpers. One testbed per file: starting a control plane costs seconds, a namespace nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, DiscoveryV1Api, KubernetesObjectApi, NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1EndpointSlice, V1Ingress, V1IngressClass, V1IngressRule, V1PolicyRule, V1ResourceAttributes, V1Service } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createLogger } from '../../observability/src/index.js';
import { startClusterMode } from '../../operator/src/serve/cluster-mode.js';
import type { ClusterMode, ClusterModeOptions } from '../../operator/src/serve/cluster-mode.js';
import { startControlPlane } from '../harness/control-plane.js';
import type { ControlPlane } from '../harness/control-plane.js';
import { writeKubeconfig } from '../harness/kubeconfig.js';
import { REPO_ROOT } from '../support/portico-process.js';
import type { XdsTestClient } from '../support/xds-clients.js';
import { startTlsTunnel } from '../support/tls-tunnel.js';
import type { TlsTunnel, TunnelCredentials } from '../support/tls-tunnel.js';
import { CLIENT_SECRET_PREFIX } from '../../operator/src/xds-identity/cluster-identity.js';
import { serviceNames } from '../../operator/src/xds-identity/server-names.js';

export const OPERATOR_NAMESPACE = 'portico-system';
export const OPERATOR_ACCOUNT = 'portico';
export const CONTROLLER = 'portico.dev/ingress-controller';
/** Backends listen on this port inside the network namespace; EndpointSlices carry it. */
export const BACKEND_PORT = 8080;

export interface Testbed {
  plane: ControlPlane;
  /** Admin: what a person with kubectl does. The operator never uses this. */
  admin: KubeConfig;
  core: CoreV1Api;
  networking: NetworkingV1Api;
  discovery: DiscoveryV1Api;
  /** A kubeconfig file with a TokenRequest token of portico-system/portico. */
  operatorKubeconfig: string;
  /** The same credentials, but reaching the API server at https://127.0.0.1:<port> (a proxy). */
  operatorKubeconfigVia(name: string, port: number): string;
  /** A fresh namespace for this file's objects. */
  namespace: string;
  /**
   * Restarts kube-apiserver (plane.restartApiServer) and remembers when it was down: until its
   * RBAC caches have synced, a starting API server answers 403 to everyone, which is not a
   * missing permission (see Operator.forbidden).
   */
  restartApiServer(): Promise<void>;
  /** [start, ready] of each restart, in ms since the epoch. */
  readonly outages: ReadonlyArray<readonly [number, number]>;
  stop(): Promise<void>;
}

export async function startTestbed(namespacePrefix: string): Promise<Testbed> {
  const plane = await startControlPlane();
  try {
    const admin = plane.kubeConfig();
    const core = admin.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: OPERATOR_NAMESPACE } } });
    await applyRbac(admin);
    const token = await plane.serviceAccountToken(OPERATOR_NAMESPACE, OPERATOR_ACCOUNT);
    const operatorKubeconfig = plane.writeKubeconfig('portico-operator', token);
    // The serving certificate names 127.0.0.1, so any loopback port verifies.
    const operatorKubeconfigVia = (name: string, port: number): string =>
      writeKubeconfig(join(plane.dir, `${name}.kubeconfig`), `https://127.0.0.1:${port}`, plane.caData, name, token);
    // The operator must not be admin: make sure the token is who config/rbac binds.
    const review = await plane.kubeConfig(token).makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} });
    const user = review.status?.userInfo?.username;
    if (user !== `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_ACCOUNT}`) throw new Error(`the operator's token authenticates as ${user}`);
    await untilRbacInEffect(plane.kubeConfig(token));
    const namespace = `${namespacePrefix}-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    const outages: Array<[number, number]> = [];
    return {
      plane,
      admin,
      core,
      networking: admin.makeApiClient(NetworkingV1Api),
      discovery: admin.makeApiClient(DiscoveryV1Api),
      operatorKubeconfig,
      operatorKubeconfigVia,
      namespace,
      outages,
      async restartApiServer() {
        const start = Date.now();
        await plane.restartApiServer();
        outages.push([start, Date.now()]);
      },
      stop: () => plane.stop(),
    };
  } catch (error) {
    await plane.stop();
    throw error;
  }
}

const RBAC_DIR = join(REPO_ROOT, 'config/rbac');

function rbacObjects(): Array<KubernetesObject & { rules?: V1PolicyRule[] }> {
  const objects: Array<KubernetesObject & { rules?: V1PolicyRule[] }> = [];
  for (const file of readdirSync(RBAC_DIR).filter((f) => f.endsWith('.yaml')).sort()) {
    for (const document of parseAllDocuments(readFileSync(join(RBAC_DIR, file), 'utf8'))) {
      const object = document.toJS() as (KubernetesObject & { rules?: V1PolicyRule[] }) | null;
      if (object) objects.push(object);
    }
  }
  return objects;
}

/** Creates every object of config/rbac/*.yaml as it is, the way `kubectl apply -f config/rbac` would. */
async function applyRbac(admin: KubeConfig): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(admin);
  for (const object of rbacObjects()) await api.create(object);
}

/**
 * Waits until the API server's authorizer grants what config/rbac says (its RBAC cache follows
 * new bindings through a watch, a moment later), asking as the operator itself.
 */
async function untilRbacInEffect(operator: KubeConfig): Promise<void> {
  const reviews = operator.makeApiClient(AuthorizationV1Api);
  const checks: V1ResourceAttributes[] = [];
  for (const object of rbacObjects()) {
    const namespace = object.kind === 'Role' ? object.metadata?.namespace : undefined;
    for (const r of object.rules ?? []) {
      for (const group of r.apiGroups ?? ['']) {
        for (const resource of r.resources ?? []) {
          const [plural, subresource] = resource.split('/');
          // A rule narrowed by resourceNames grants nothing for a request without a name.
          const name = r.resourceNames?.[0];
          for (const verb of r.verbs) checks.push({ group, resource: plural, ...(subresource ? { subresource } : {}), verb, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) });
        }
      }
    }
  }
  await eventually('config/rbac to be in effect for the operator', async () => {
    for (const resourceAttributes of checks) {
      const review = await reviews.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes } } });
      if (!review.status?.allowed) return undefined;
    }
    return true;
  });
}

export interface LogRecord {
  level: string;
  event: string;
  [field: string]: unknown;
}

export interface Operator {
  name: string;
  mode: ClusterMode;
  /** The operator's xDS port: mutual TLS, a client certificate per fleet. */
  xdsAddress: string;
  /**
   * A plain-text address on loopback for clients of `fleet`: a tunnel that carries each
   * connection over mutual TLS with the client certificate the leader wrote for that fleet
   * (Secret portico-system/portico-xds-client-<fleet>), read as an administrator would.
   */
  xdsAddressFor(fleet: string): string;
  logs: LogRecord[];
  /**
   * Log lines about a refused request (403): a permission missing from config/rbac. Lines logged
   * while the API server was restarting (and for a second after) do not count.
   */
  forbidden(): LogRecord[];
  stop(): Promise<void>;
}

/** startClusterMode's options; kubeconfig defaults to the operator's ServiceAccount one. */
export type OperatorOptions = Partial<Omit<ClusterModeOptions, 'logger'>>;

/**
 * Starts cluster mode in this process with the operator's ServiceAccount kubeconfig. Its logs are
 * kept (and echoed to stderr with PORTICO_E2E_LOGS=1). startClusterMode only resolves after the
 * first complete list, which never comes if a list is forbidden: the timeout then reports the
 * refused requests instead of hanging.
 */
export async function startOperator(bed: Testbed, name: string, options: OperatorOptions = {}): Promise<Operator> {
  const logs: LogRecord[] = [];
  const logger = createLogger(
    {
      level: 'info',
      write: (line) => {
        logs.push(JSON.parse(line) as LogRecord);
        if (process.env['PORTICO_E2E_LOGS']) process.stderr.write(`[${name}] ${line}`);
      },
    },
    {},
  );
  const duringOutage = (l: LogRecord): boolean => {
    const at = Date.parse(String(l['time']));
    return bed.outages.some(([start, ready]) => at >= start && at <= ready + 1_000);
  };
  // What was said, not the advice: some hints name 403 ("if the API server answers 403, check the
  // Role"), and a replica cut off on purpose logs such an error with another cause.
  const forbidden = (): LogRecord[] => logs.filter((l) => /\b403\b|forbidden/i.test(JSON.stringify({ ...l, hint: undefined })) && !duringOutage(l));
  let timer: NodeJS.Timeout | undefined;
  const mode = await Promise.race([
    startClusterMode({
      kubeconfig: bed.operatorKubeconfig,
      xdsAddress: '127.0.0.1:0',
      healthAddress: '127.0.0.1:0',
      leaderElection: false,
      // What `portico serve` does in a cluster: its own CA in portico-system, client Secrets per fleet.
      xdsTls: { kind: 'ca-secret', namespace: OPERATOR_NAMESPACE, serverNames: serviceNames('portico', OPERATOR_NAMESPACE), checkEveryMs: 200 },
      ...options,
      logger,
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`operator ${name} did not sync within 30 s; its warnings:\n${logs.filter((l) => l.level !== 'info').map((l) => JSON.stringify(l)).join('\n')}`)), 30_000);
    }),
  ]).finally(() => clearTimeout(timer));
  // Tunnels are opened now (listening is asynchronous) and given a fleet on first use, so that
  // tests can make clients synchronously, before the fleet or its Secret exists.
  const fleetOf: Array<string | undefined> = [];
  const spare: TlsTunnel[] = await Promise.all(
    Array.from({ length: TUNNELS_PER_OPERATOR }, (_, i) =>
      startTlsTunnel({ host: '127.0.0.1', port: mode.xdsPort, serverName: `portico.${OPERATOR_NAMESPACE}.svc` }, () => clientCredentials(bed, fleetOf[i] ?? '')),
    ),
  );
  const xdsAddressFor = (fleet: string): string => {
    let index = fleetOf.indexOf(fleet);
    if (index < 0) {
      index = fleetOf.length;
      if (index >= spare.length) throw new Error(`more than ${TUNNELS_PER_OPERATOR} fleets: raise TUNNELS_PER_OPERATOR`);
      fleetOf.push(fleet);
    }
    return spare[index]?.address ?? '';
  };
  const stop = async (): Promise<void> => {
    for (const tunnel of spare) tunnel.close();
    await mode.stop(1_000);
  };
  return { name, mode, xdsAddress: `127.0.0.1:${mode.xdsPort}`, xdsAddressFor, logs, forbidden, stop };
}

/** The fleet's client certificate Secret as the leader wrote it, once it exists. */
const TUNNELS_PER_OPERATOR = 4;

export async function clientCredentials(bed: Testbed, fleet: string): Promise<TunnelCredentials> {
  const secret = await eventually(`Secret ${OPERATOR_NAMESPACE}/${CLIENT_SECRET_PREFIX}${fleet}`, () => bed.core.readNamespacedSecret({ namespace: OPERATOR_NAMESPACE, name: `${CLIENT_SECRET_PREFIX}${fleet}` }), 30_000);
  const data = (key: string): string => Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  return { cert: data('tls.crt'), key: data('tls.key'), ca: data('ca.crt') };
}

// ---- objects -------------------------------------------------------------------------------

export function ingressClass(name: string, controller = CONTROLLER): V1IngressClass {
  return { metadata: { name }, spec: { controller } };
}

export function service(namespace: string, name: string): V1Service {
  return {
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: BACKEND_PORT }] },
  };
}

export function endpointSlice(namespace: string, serviceName: string, addresses: string[], name = `${serviceName}-e2e`): V1EndpointSlice {
  return {
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: BACKEND_PORT, protocol: 'TCP' }],
    endpoints: addresses.map((address) => ({ addresses: [address], conditions: { ready: true } })),
  };
}

export function rule(host: string, serviceName: string): V1IngressRule {
  return { host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: serviceName, port: { number: 80 } } } }] } };
}

/** The seed scenario's Ingress (examples/seed/ingress.yaml), in `namespace`. */
export function seedIngress(namespace: string, className = 'nginx'): V1Ingress {
  return {
    metadata: { name: 'name-virtual-host-ingress', namespace },
    spec: {
      ingressClassName: className,
      defaultBackend: { service: { name: 'nginx1', port: { number: 80 } } },
      rules: [rule('nginx1.example.com', 'nginx1'), rule('nginx2.example.com', 'nginx2')],
    },
  };
}

// ---- polling ---------------------------------------------------------------------------------

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something other than undefined/false; errors count as "not yet". */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = String(value);
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
    await sleep(50);
  }
}

/** One call's outcome: the backend's name, or "error: <grpc message>". */
export async function answer(client: XdsTestClient): Promise<string> {
  try {
    return await client.who();
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Waits until `count` calls in a row satisfy `accept`, then returns; the run in a row is what
 * tells a converged client from one that happened to answer once.
 */
export async function untilSteady(client: XdsTestClient, accept: (answer: string) => boolean, what: string, timeoutMs = 10_000, count = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let streak = 0;
  const seen: string[] = [];
  while (Date.now() < deadline) {
    const got = await answer(client);
    seen.push(got);
    streak = accept(got) ? streak + 1 : 0;
    if (streak >= count) return;
    await sleep(streak > 0 ? 5 : 25);
  }
  throw new Error(`${client.target} (${client.nodeId}) did not steadily ${what} within ${timeoutMs} ms; last answers: ${seen.slice(-8).join(' | ')}`);
}

/** `count` calls; their answers, in order. */
export async function sample(client: XdsTestClient, count: number): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < count; i++) answers.push(await answer(client));
  return answers;
}

export const isError = (got: string): boolean => got.startsWith('error: ');

/**
 * The seed scenario through the API: IngressClass nginx, Services nginx1/nginx2 whose
 * EndpointSlices hold the given addresses, and Ingress name-virtual-host-ingress.
 */
export async function applySeedScenario(bed: Testbed, addresses: { nginx1: string[]; nginx2: string[] }): Promise<void> {
  const ns = bed.namespace;
  await bed.networking.createIngressClass({ body: ingressClass('nginx') });
  for (const name of ['nginx1', 'nginx2'] as const) {
    await bed.core.createNamespacedService({ namespace: ns, body: service(ns, name) });
    await bed.discovery.createNamespacedEndpointSlice({ namespace: ns, body: endpointSlice(ns, name, addresses[name]) });
  }
  await bed.networking.createNamespacedIngress({ namespace: ns, body: seedIngress(ns) });
}
