// kube-apiserver for the test control plane, with envtest's minimal flag set (controller-runtime,
// pkg/internal/testing/controlplane/apiserver.go) and a static token file instead of client certificates,
// because Node can generate keys but not X.509 certificates.
import { join } from 'node:path';
import { spawnLogged, tail, type LoggedProcess } from './child.js';
import { get, waitUntil } from './net.js';

export interface ApiServerConfig {
  bin: string;
  dir: string;
  etcdUrl: string;
  port: number;
  tokenFile: string;
  saPublicKeyFile: string;
  saPrivateKeyFile: string;
  adminToken: string;
  extraArgs: string[];
}

export function certDir(cfg: Pick<ApiServerConfig, 'dir'>): string {
  return join(cfg.dir, 'certs');
}

export function apiServerLog(cfg: Pick<ApiServerConfig, 'dir'>): string {
  return join(cfg.dir, 'kube-apiserver.log');
}

function args(cfg: ApiServerConfig): string[] {
  return [
    `--etcd-servers=${cfg.etcdUrl}`,
    // kube-apiserver writes a self-signed serving cert (SAN 127.0.0.1) here on first start and
    // reuses it on restart, so clients keep trusting the same CA across restartApiServer().
    `--cert-dir=${certDir(cfg)}`,
    `--secure-port=${cfg.port}`,
    '--bind-address=127.0.0.1',
    // Without this, kube-apiserver advertises the host's default-route IP: it fails to start where
    // there is no default route, and it publishes that IP in a default/kubernetes EndpointSlice
    // that every cluster-wide EndpointSlice watch would see. With loopback it writes no slice (the
    // address is invalid for one) and logs "unable to sync kubernetes service" every 10 s:
    // harmless noise.
    '--advertise-address=127.0.0.1',
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--authorization-mode=RBAC',
    // No controller-manager runs, so no ServiceAccount controller creates `default` SAs; the
    // admission plugin would then reject Pods. envtest disables it for the same reason.
    '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=https://127.0.0.1:${cfg.port}/`,
    `--service-account-key-file=${cfg.saPublicKeyFile}`,
    `--service-account-signing-key-file=${cfg.saPrivateKeyFile}`,
    `--token-auth-file=${cfg.tokenFile}`,
    ...cfg.extraArgs,
  ];
}

/** Starts kube-apiserver and waits until /readyz is ok and the `default` namespace exists. */
export async function startApiServer(cfg: ApiServerConfig, timeoutMs: number): Promise<LoggedProcess> {
  const logFile = apiServerLog(cfg);
  const proc = spawnLogged(cfg.bin, args(cfg), logFile);
  const base = `https://127.0.0.1:${cfg.port}`;
  const auth = { authorization: `Bearer ${cfg.adminToken}` };
  try {
    // /readyz covers etcd and the post-start hooks (RBAC bootstrap, system namespaces); the
    // namespace check is envtest's extra guard against the bootstrap race.
    await waitUntil(
      'kube-apiserver',
      async () =>
        (await get(`${base}/readyz`, auth)).status === 200 &&
        (await get(`${base}/api/v1/namespaces/default`, auth)).status === 200,
      { timeoutMs, died: proc.exited, describe: () => `last 30 lines of ${logFile}:\n${tail(logFile, 30)}` },
    );
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}
