// Kubeconfig files for the test control plane. JSON is valid YAML, so kubectl, client-node and
// the operator's --kubeconfig all read these without a YAML dependency.
import { writeFileSync } from 'node:fs';

export function writeKubeconfig(path: string, server: string, caData: string, user: string, token: string): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'portico-e2e', cluster: { server, 'certificate-authority-data': caData } }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: 'portico-e2e', user } }],
    'current-context': user,
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
  return path;
}
