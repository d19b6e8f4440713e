// What each ingress-nginx annotation family costs in translation: N generated Ingresses (bench/
// workload.ts), every one of them carrying the family's annotations, translated in full
// (Kubernetes → IR → Envoy resources) and encoded to protobuf; beside the same Ingresses without.
//   npx tsx bench/annotations.ts [--size 10000] [--runs 3]
// Prints a table and writes bench/results/annotations.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import type { EnvoyConfig } from '../operator/src/pipeline.js';
import type { ClusterState, V1EndpointSlice, V1Service } from '../operator/src/store/cluster-state.js';
import { RESOURCE_TYPES, encodeMessage } from '../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../xds-server/src/protos/envoy-protos.js';
import { FLEET_FIELD_BY_KIND, resourcesOfKind } from '../xds-server/src/resources.js';
import { toTypedObject } from '../operator/src/store/typed-objects.js';
import { median } from './measure.js';
import { generateWorkload } from './workload.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '10000' }, runs: { type: 'string', default: '3' } } });
const size = Number(values.size);
const runs = Number(values.runs);
const N = 'nginx.ingress.kubernetes.io/';

/** The annotations of each family, as an Ingress written for ingress-nginx would carry them. */
const FAMILIES: Record<string, Record<string, string>> = {
  'none (baseline)': {},
  redirects: { [`${N}permanent-redirect`]: 'https://new.example.com$request_uri', [`${N}from-to-www-redirect`]: 'true' },
  'body size, timeouts, retries': { [`${N}proxy-body-size`]: '8m', [`${N}proxy-read-timeout`]: '300', [`${N}proxy-send-timeout`]: '300', [`${N}proxy-next-upstream`]: 'error timeout http_502', [`${N}proxy-next-upstream-tries`]: '3' },
  'upstream-vhost, x-forwarded-prefix': { [`${N}upstream-vhost`]: 'internal.example.com', [`${N}x-forwarded-prefix`]: '/app' },
  'backend settings (cluster variants)': { [`${N}backend-protocol`]: 'GRPC', [`${N}proxy-connect-timeout`]: '3', [`${N}load-balance`]: 'ewma' },
  'affinity cookie': { [`${N}affinity`]: 'cookie', [`${N}session-cookie-name`]: 'route', [`${N}session-cookie-max-age`]: '3600' },
  cors: { [`${N}enable-cors`]: 'true', [`${N}cors-allow-origin`]: 'https://app.example.com, https://*.example.org' },
  'source ranges': { [`${N}whitelist-source-range`]: '10.0.0.0/8, 192.168.0.0/16', [`${N}denylist-source-range`]: '10.66.0.0/16' },
  'rate limits': { [`${N}limit-rps`]: '10', [`${N}limit-burst-multiplier`]: '3' },
  'external auth': { [`${N}auth-url`]: 'http://oauth2-proxy.auth.svc.cluster.local/oauth2/auth', [`${N}auth-response-headers`]: 'X-Auth-Request-User' },
  'unhonoured access control (fail closed)': { [`${N}auth-tls-verify-client`]: 'on' },
};

function withAnnotations(state: ClusterState, annotations: Record<string, string>): ClusterState {
  return { ...state, ingresses: state.ingresses.map((ingress) => ({ ...ingress, metadata: { ...ingress.metadata, annotations: { ...ingress.metadata?.annotations, ...annotations } } })) };
}

function routeTableBytes(config: EnvoyConfig): number {
  let bytes = 0;
  for (const fleet of config.fleets) for (const kind of Object.keys(FLEET_FIELD_BY_KIND) as ResourceKind[]) {
    for (const resource of resourcesOfKind(fleet.resources, kind)) bytes += encodeMessage(RESOURCE_TYPES[kind], resource).length;
  }
  return bytes;
}

/** The auth service external auth asks: a Service with endpoints, as a cluster running oauth2-proxy has. */
function withAuthService(state: ClusterState): ClusterState {
  const service: V1Service = toTypedObject('Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'oauth2-proxy', namespace: 'auth' }, spec: { ports: [{ name: 'http', port: 80 }] } });
  const slice: V1EndpointSlice = toTypedObject('EndpointSlice', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'oauth2-proxy-1', namespace: 'auth', labels: { 'kubernetes.io/service-name': 'oauth2-proxy' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 4180 }], endpoints: [{ addresses: ['10.250.0.1'] }] });
  return { ...state, services: [...state.services, service], endpointSlices: [...state.endpointSlices, slice] };
}

const base = withAuthService(generateWorkload(size));
buildEnvoyConfig(base); // warm-up: JIT and proto loading are not part of the figure
const rows = [];
for (const [family, annotations] of Object.entries(FAMILIES)) {
  const state = withAnnotations(base, annotations);
  const samples: number[] = [];
  let config: EnvoyConfig | undefined;
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    config = buildEnvoyConfig(state);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const errors = config?.diagnostics.filter((d) => d.severity === 'error').length ?? 0;
  rows.push({ family, translateMs: Math.round(median(samples)), bytes: config ? routeTableBytes(config) : 0, clusters: config?.fleets[0]?.resources.clusters.length ?? 0, errors });
}
const baseline = rows[0]?.translateMs ?? 0;
console.log(`${size} Ingresses, every one carrying the family's annotations; median of ${runs} full translations (Kubernetes → IR → Envoy resources)`);
console.log('| family | translate ms | vs none | encoded resources | clusters | error diagnostics |');
console.log('|---|---|---|---|---|---|');
for (const row of rows) {
  const delta = row.translateMs - baseline;
  console.log(`| ${row.family} | ${row.translateMs} | ${delta >= 0 ? '+' : ''}${delta} | ${(row.bytes / 1024 / 1024).toFixed(1)} MiB | ${row.clusters} | ${row.errors} |`);
}
mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
writeFileSync(join(import.meta.dirname, 'results', 'annotations.json'), `${JSON.stringify({ size, runs, rows }, null, 2)}\n`);
