// Writes status.loadBalancer of Portico's Ingresses, and only of those: Ingresses of other
// controllers are never touched. Skips Ingresses whose status already says the same, so a
// steady state makes no writes at all. Only the leader calls this.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestJson } from '../kube/kube-http.js';
import type { V1Ingress } from '../store/cluster-state.js';
import type { LoadBalancerIngress } from './load-balancer-address.js';
import { withFieldManager } from './reporter.js';

export interface StatusWriteResult {
  written: string[];
  failed: Array<{ ingress: string; error: string }>;
}

export async function writeIngressStatus(kc: KubeConfig, ingresses: readonly V1Ingress[], desired: readonly LoadBalancerIngress[], signal: AbortSignal): Promise<StatusWriteResult> {
  const result: StatusWriteResult = { written: [], failed: [] };
  for (const ingress of ingresses) {
    const current = (ingress.status?.loadBalancer?.ingress ?? []).map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname }));
    if (sameAddresses(current, desired)) continue;
    const namespace = ingress.metadata?.namespace ?? 'default';
    const name = ingress.metadata?.name ?? '';
    const path = `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/ingresses/${encodeURIComponent(name)}/status`;
    try {
      await requestJson(kc, 'PATCH', withFieldManager(path), signal, { status: { loadBalancer: { ingress: desired } } }, 'application/merge-patch+json');
      result.written.push(`${namespace}/${name}`);
    } catch (error) {
      result.failed.push({ ingress: `${namespace}/${name}`, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return result;
}

function sameAddresses(a: ReadonlyArray<LoadBalancerIngress>, b: ReadonlyArray<LoadBalancerIngress>): boolean {
  const key = (list: ReadonlyArray<LoadBalancerIngress>): string => list.map((i) => `${i.ip ?? ''}|${i.hostname ?? ''}`).sort().join(',');
  return key(a) === key(b);
}
