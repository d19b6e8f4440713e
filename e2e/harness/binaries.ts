// Locates kube-apiserver and etcd by running e2e/apiserver/ensure-binaries.sh, which uses
// KUBEBUILDER_ASSETS, the version-keyed cache, or builds them from the Go module proxy. Keeping
// that logic in one shell script means `make apiserver-binaries` and the tests can never disagree
// about which binaries are used.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Binaries {
  kubeApiserver: string;
  etcd: string;
}

export const ENSURE_SCRIPT = fileURLToPath(new URL('../apiserver/ensure-binaries.sh', import.meta.url));

/** Runs the ensure script (a sub-second no-op once cached) and returns the binary paths. */
export function ensureBinaries(): Promise<Binaries> {
  return new Promise((resolve, reject) => {
    // No timeout: a cold build legitimately takes minutes; callers that cannot wait that long
    // (test hooks) should rely on the globalSetup or `make apiserver-binaries` having run first.
    execFile('bash', [ENSURE_SCRIPT], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const paths = parse(stdout);
      if (err || !paths) {
        const tail = stderr.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`cannot get kube-apiserver/etcd binaries (${ENSURE_SCRIPT} failed):\n${tail}`));
        return;
      }
      resolve(paths);
    });
  });
}

function parse(stdout: string): Binaries | undefined {
  const vars = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1).trim());
  }
  const kubeApiserver = vars.get('KUBE_APISERVER');
  const etcd = vars.get('ETCD');
  return kubeApiserver && etcd ? { kubeApiserver, etcd } : undefined;
}
