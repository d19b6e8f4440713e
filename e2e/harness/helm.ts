// Finds (or builds, once) the helm binary through e2e/helm/ensure-helm.sh, and renders charts.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ENSURE_HELM = fileURLToPath(new URL('../helm/ensure-helm.sh', import.meta.url));

export function ensureHelm(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [ENSURE_HELM], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const path = /^HELM=(.+)$/m.exec(stdout)?.[1]?.trim();
      if (error || !path) reject(new Error(`cannot get helm (${ENSURE_HELM} failed):\n${stderr.trim().split('\n').slice(-20).join('\n')}`));
      else resolve(path);
    });
  });
}

/** `helm template` with --include-crds; rejects with helm's message when the chart does not render. */
export function helmTemplate(helm: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(helm, ['template', '--include-crds', ...args], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`helm template ${args.join(' ')} failed:\n${stderr}`));
      else resolve(stdout);
    });
  });
}
