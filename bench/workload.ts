// Generates a realistic translation workload: N Ingresses over many namespaces, 5 paths each
// (mixed path types), two Services per Ingress with 3 ready endpoints each; some hosts are shared
// by two Ingresses and some are wildcards. Deterministic: the same N gives the same objects.
// The class declares the Envoy Portico ships and turns VHDS on, as a platform team with a large
// fleet would (docs/decisions/0007): Delta clients get route tables split per host.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterState, V1EndpointSlice, V1Ingress, V1Service } from '../operator/src/store/cluster-state.js';
import { toTypedObject } from '../operator/src/store/typed-objects.js';
import type { IngressClassParametersObject } from '../operator/src/store/parameters-objects.js';
import { SHIPPED_ENVOY } from '../xds-server/src/index.js';

const NAMESPACES = 50;

export function generateWorkload(ingressCount: number): ClusterState {
  const ingresses: V1Ingress[] = [];
  const services: V1Service[] = [];
  const endpointSlices: V1EndpointSlice[] = [];
  for (let i = 0; i < ingressCount; i++) {
    const namespace = `team-${i % NAMESPACES}`;
    for (const role of ['web', 'api']) {
      const service = `app-${i}-${role}`;
      services.push(toTypedObject('Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: service, namespace }, spec: { ports: [{ name: 'http', port: 80 }] } }));
      endpointSlices.push(toTypedObject('EndpointSlice', {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${service}-x1`, namespace, labels: { 'kubernetes.io/service-name': service } },
        addressType: 'IPv4',
        ports: [{ name: 'http', port: 8080 }],
        endpoints: [0, 1, 2].map((e) => ({ addresses: [`10.${i >> 8 & 255}.${i & 255}.${(role === 'web' ? 0 : 100) + e}`], zone: `zone-${e}`, conditions: { ready: true } })),
      }));
    }
    ingresses.push(toTypedObject('Ingress', ingressObject(i, namespace)));
  }
  const ingressClasses = [toTypedObject('IngressClass', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'portico' },
    spec: { controller: 'portico.dev/ingress-controller', parameters: { apiGroup: 'portico.dev', kind: 'ClusterIngressClassParameters', name: 'portico' } },
  })];
  const parameters: IngressClassParametersObject = {
    apiVersion: 'portico.dev/v1alpha1',
    kind: 'ClusterIngressClassParameters',
    metadata: { name: 'portico' },
    spec: { envoy: { version: SHIPPED_ENVOY.minor, virtualHostDiscovery: true } },
  };
  return { ingresses, ingressClasses: ingressClasses as ClusterState['ingressClasses'], services, endpointSlices, secrets: [], ingressClassParameters: [], clusterIngressClassParameters: [parameters] };
}

/** Every 10th Ingress shares the host of the one before it (with other paths); every 25th is a wildcard. */
export function hostOf(i: number): string {
  if (i % 25 === 24) return `*.wild-${i}.example.com`;
  const owner = i % 10 === 9 ? i - 1 : i;
  return `app-${owner}.team-${owner % NAMESPACES}.example.com`;
}

export function ingressObject(i: number, namespace: string, variant = 0): object {
  const backend = (role: string): object => ({ service: { name: `app-${i}-${role}`, port: { number: 80 } } });
  const shared = i % 10 === 9 ? `/extra-${i}` : '';
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: `app-${i}`, namespace, creationTimestamp: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() },
    spec: {
      ingressClassName: 'portico',
      rules: [{
        host: hostOf(i),
        http: {
          paths: [
            { path: `${shared}/`, pathType: 'Prefix', backend: backend('web') },
            { path: `${shared}/api`, pathType: 'Prefix', backend: backend('api') },
            { path: `${shared}/api/v${1 + variant}`, pathType: 'Prefix', backend: backend('api') },
            { path: `${shared}/static`, pathType: 'ImplementationSpecific', backend: backend('web') },
            { path: `${shared}/healthz`, pathType: 'Exact', backend: backend('api') },
          ],
        },
      }],
    },
  };
}

/**
 * Writes the workload of generateWorkload(ingressCount) as standalone-mode manifests: one file per
 * Ingress (`ingress-<i>.json`, so one edit touches one file) and the IngressClass, Services and
 * EndpointSlices as `kind: List` files of 1,000 objects each. Returns the path of Ingress i's file.
 */
export function writeWorkloadManifests(dir: string, ingressCount: number): (i: number) => string {
  const state = generateWorkload(ingressCount);
  mkdirSync(dir, { recursive: true });
  const ingressFile = (i: number): string => join(dir, `ingress-${i}.json`);
  state.ingresses.forEach((ingress, i) => writeFileSync(ingressFile(i), JSON.stringify(ingress)));
  const lists: [string, readonly object[]][] = [['class', [...state.ingressClasses, ...state.clusterIngressClassParameters]], ['services', state.services], ['endpointslices', state.endpointSlices]];
  for (const [name, items] of lists) {
    for (let start = 0; start < items.length; start += 1_000) {
      writeFileSync(join(dir, `${name}-${start / 1_000}.json`), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: items.slice(start, start + 1_000) }));
    }
  }
  return ingressFile;
}

/** Rewrites Ingress i's file with a path variant, atomically (written beside the folder, renamed in). */
export function editIngressManifest(dir: string, i: number, variant: number): void {
  const staging = `${dir}.staging-${i}.json`;
  writeFileSync(staging, JSON.stringify(ingressObject(i, `team-${i % NAMESPACES}`, variant)));
  renameSync(staging, join(dir, `ingress-${i}.json`));
}
