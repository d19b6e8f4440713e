// Translation benchmark: full translation of N generated Ingresses, encoding every resource to
// protobuf bytes, the cost of one Ingress change, and the xDS server's publish of that change (both
// views: SotW with the gRPC view, Delta over VHDS; unchanged resources are not re-encoded). The gRPC
// view (API listeners and their tables) is built by the envoy stage, so it counts in translation.
//   npx tsx bench/translate.ts [--sizes 1000,10000] [--runs 5]
// Prints a table and writes bench/results/translate.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import type { EnvoyConfig } from '../operator/src/pipeline.js';
import { toTypedObject } from '../operator/src/store/typed-objects.js';
import type { V1Ingress } from '../operator/src/store/cluster-state.js';
import { RESOURCE_TYPES, encodeMessage } from '../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../xds-server/src/protos/envoy-protos.js';
import { FLEET_FIELD_BY_KIND, resourcesOfKind } from '../xds-server/src/resources.js';
import { median, timeMs } from './measure.js';
import { generateWorkload, ingressObject } from './workload.js';
import { SnapshotCache } from '../xds-server/src/cache/snapshot-cache.js';
import { withGrpcView } from '../xds-server/src/grpc/grpc-view.js';
import { withVirtualHostDiscovery } from '../xds-server/src/cache/virtual-host-discovery.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' }, runs: { type: 'string', default: '5' } } });
const sizes = (values.sizes ?? '').split(',').map(Number);
const runs = Number(values.runs);

function encodeAll(config: EnvoyConfig): number {
  let bytes = 0;
  for (const fleet of config.fleets) {
    for (const kind of Object.keys(FLEET_FIELD_BY_KIND) as ResourceKind[]) {
      for (const resource of resourcesOfKind(fleet.resources, kind)) bytes += encodeMessage(RESOURCE_TYPES[kind], resource).length;
    }
  }
  return bytes;
}

function publishAll(cache: SnapshotCache, config: EnvoyConfig): void {
  for (const fleet of config.fleets) {
    const sotw = withGrpcView(fleet, fleet.grpc);
    cache.publish(fleet.ingressClass, sotw.resources, sotw.origins, withVirtualHostDiscovery(fleet.resources, fleet.origins));
  }
}

const results = [];
for (const size of sizes) {
  const state = generateWorkload(size);
  buildEnvoyConfig(state); // warm-up: JIT and proto loading are not part of the figure
  const translate: number[] = [];
  const encode: number[] = [];
  const change: number[] = [];
  const publish: number[] = [];
  let config = buildEnvoyConfig(state);
  let bytes = 0;
  for (let run = 0; run < runs; run++) {
    translate.push(timeMs(() => { config = buildEnvoyConfig(state); }));
    encode.push(timeMs(() => { bytes = encodeAll(config); }));
    // One Ingress edited (a path changes): today the translator rebuilds everything.
    const target = (run * 7919) % size;
    const edited = state.ingresses.map((ingress, i) => (i === target ? toTypedObject<V1Ingress>('Ingress', ingressObject(i, ingress.metadata?.namespace ?? '', run + 1)) : ingress));
    let changed = config;
    change.push(timeMs(() => { changed = buildEnvoyConfig({ ...state, ingresses: edited }); }));
    // What the xDS server does with it: both views (SotW with the gRPC view, Delta over VHDS),
    // encoding only what differs from the previous publish.
    const cache = new SnapshotCache();
    publishAll(cache, config);
    publish.push(timeMs(() => publishAll(cache, changed)));
  }
  const fleet = config.fleets[0];
  const routes = fleet?.resources.routeConfigurations.reduce((n, rc) => n + (rc.virtual_hosts ?? []).reduce((m, v) => m + (v.routes?.length ?? 0), 0), 0) ?? 0;
  const result = {
    ingresses: size,
    paths: size * 5,
    envoyRoutes: routes,
    clusters: fleet?.resources.clusters.length ?? 0,
    translateMsMedian: Number(median(translate).toFixed(1)),
    encodeMsMedian: Number(median(encode).toFixed(1)),
    oneIngressChangeMsMedian: Number(median(change).toFixed(1)),
    publishAfterChangeMsMedian: Number(median(publish).toFixed(1)),
    encodedBytes: bytes,
    heapUsedMiB: Number((process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)),
  };
  results.push(result);
  console.log(JSON.stringify(result));
}

const output = { command: `npx tsx bench/translate.ts --sizes ${sizes.join(',')} --runs ${runs}`, node: process.version, date: new Date().toISOString(), results };
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'translate.json'), `${JSON.stringify(output, null, 2)}\n`);
console.table(results);
