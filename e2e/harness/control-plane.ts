// A real etcd + kube-apiserver on loopback for tests: what envtest gives Go projects, for Node.
//
// Nothing else runs (no controller-manager, scheduler or kubelet): no EndpointSlices are derived
// from Services, namespaces never finish deleting, no `default` ServiceAccounts. Tests create what
// they need. See docs/decisions/0004-real-apiserver-for-tests.md.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ensureBinaries, type Binaries } from './binaries.js';
import type { LoggedProcess } from './child.js';
import { startEtcd } from './etcd.js';
import { apiServerLog, certDir, startApiServer, type ApiServerConfig } from './kube-apiserver.js';
import { writeKubeconfig } from './kubeconfig.js';
import { freePort } from './net.js';

export interface StaticUser {
  name: string;
  groups: string[];
}

export interface ControlPlaneOptions {
  /** Extra static-token users (fixed at start: the token file is read once). */
  users?: StaticUser[];
  /** Per process (etcd, kube-apiserver) startup limit. Default 60 s: 2 shared cores are slow. */
  startTimeoutMs?: number;
  extraApiServerArgs?: string[];
  /** Skip ensure-binaries.sh (e.g. paths injected by a globalSetup). */
  binaries?: Binaries;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port>; stays the same across restartApiServer(). */
  readonly server: string;
  /** Base64 PEM of the serving CA, as in a kubeconfig's certificate-authority-data. */
  readonly caData: string;
  /** Bearer token of user `admin` in group system:masters. */
  readonly adminToken: string;
  /** Admin kubeconfig file (JSON) in the temp dir. */
  readonly kubeconfigPath: string;
  /** Temp dir with etcd data, certs, logs (etcd.log, kube-apiserver.log). */
  readonly dir: string;
  readonly logs: { readonly etcd: string; readonly apiServer: string };
  /** Tokens of the `users` option, by user name. */
  readonly userTokens: ReadonlyMap<string, string>;
  /** A client-node KubeConfig for the admin, or for another bearer token. */
  kubeConfig(token?: string): KubeConfig;
  /** Writes a kubeconfig for `token` into the temp dir and returns its path. */
  writeKubeconfig(name: string, token: string): string;
  /**
   * Creates ServiceAccount namespace/name if missing and returns a token for it from the
   * TokenRequest API (the apiserver signs it itself; no token controller is needed). Its user is
   * system:serviceaccount:<ns>:<name>, so RBAC bindings to that subject apply.
   */
  serviceAccountToken(namespace: string, name: string, expirationSeconds?: number): Promise<string>;
  /**
   * Kills kube-apiserver and starts it again on the same port, etcd and certs; resolves when ready.
   * `downMs`: how long it stays down before the new one is started (an outage, not just a restart).
   */
  restartApiServer(downMs?: number): Promise<void>;
  /** Stops both processes and removes the temp dir (kept if PORTICO_KEEP_CONTROLPLANE is set). */
  stop(): Promise<void>;
}

const token = (): string => randomBytes(24).toString('hex');

/** Writes the static token file: `token,user,uid,"group1,group2"` per line. */
function writeTokenFile(path: string, users: Array<StaticUser & { token: string }>): void {
  writeFileSync(path, users.map((u) => `${u.token},${u.name},${u.name},"${u.groups.join(',')}"\n`).join(''), {
    mode: 0o600,
  });
}

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const bins = options.binaries ?? (await ensureBinaries());
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const dir = mkdtempSync(join(tmpdir(), 'portico-controlplane-'));

  const adminToken = token();
  const userTokens = new Map((options.users ?? []).map((u) => [u.name, token()] as const));
  const tokenFile = join(dir, 'tokens.csv');
  writeTokenFile(tokenFile, [
    { name: 'admin', groups: ['system:masters'], token: adminToken },
    ...(options.users ?? []).map((u) => ({ ...u, token: userTokens.get(u.name) ?? '' })),
  ]);

  // The service-account signing key: kube-apiserver refuses to start without one, and it is what
  // lets the TokenRequest API mint ServiceAccount tokens with no controller-manager.
  const sa = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const saPublicKeyFile = join(dir, 'sa.pub');
  const saPrivateKeyFile = join(dir, 'sa.key');
  writeFileSync(saPublicKeyFile, sa.publicKey);
  writeFileSync(saPrivateKeyFile, sa.privateKey, { mode: 0o600 });

  const etcd = await startEtcd(bins.etcd, dir, timeoutMs);
  const cfg: ApiServerConfig = {
    bin: bins.kubeApiserver,
    dir,
    etcdUrl: etcd.url,
    port: await freePort(),
    tokenFile,
    saPublicKeyFile,
    saPrivateKeyFile,
    adminToken,
    extraArgs: options.extraApiServerArgs ?? [],
  };
  mkdirSync(certDir(cfg), { recursive: true });
  let apiServer: LoggedProcess;
  try {
    apiServer = await startApiServer(cfg, timeoutMs);
  } catch (err) {
    await etcd.process.stop();
    throw new Error(`control plane did not start (files kept in ${dir}): ${(err as Error).message}`);
  }

  const server = `https://127.0.0.1:${cfg.port}`;
  // The self-signed apiserver.crt holds the leaf and the CA that signed it; Node trusts the CA.
  const caData = readFileSync(join(certDir(cfg), 'apiserver.crt')).toString('base64');
  const kubeconfigPath = writeKubeconfig(join(dir, 'admin.kubeconfig'), server, caData, 'admin', adminToken);

  const kubeConfig = (bearer = adminToken): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'portico-e2e', server, caData }],
      users: [{ name: 'user', token: bearer }],
      contexts: [{ name: 'ctx', cluster: 'portico-e2e', user: 'user' }],
      currentContext: 'ctx',
    });
    return kc;
  };

  let stopped = false;
  return {
    server,
    caData,
    adminToken,
    kubeconfigPath,
    dir,
    logs: { etcd: join(dir, 'etcd.log'), apiServer: apiServerLog(cfg) },
    userTokens,
    kubeConfig,
    writeKubeconfig: (name, bearer) => writeKubeconfig(join(dir, `${name}.kubeconfig`), server, caData, name, bearer),
    async serviceAccountToken(namespace, name, expirationSeconds = 3600) {
      const core = kubeConfig().makeApiClient(CoreV1Api);
      try {
        await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
      const request = await core.createNamespacedServiceAccountToken({
        namespace,
        name,
        // Empty audiences = the apiserver's own (its issuer), which is what it accepts.
        body: { spec: { audiences: [], expirationSeconds } },
      });
      const minted = request.status?.token;
      if (!minted) throw new Error(`TokenRequest for ${namespace}/${name} returned no token`);
      return minted;
    },
    async restartApiServer(downMs = 0) {
      await apiServer.stop();
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      apiServer = await startApiServer(cfg, timeoutMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await apiServer.stop();
      await etcd.process.stop();
      if (!process.env.PORTICO_KEEP_CONTROLPLANE) rmSync(dir, { recursive: true, force: true });
    },
  };
}
