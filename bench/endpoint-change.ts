// One EndpointSlice changed → published, at N Ingresses (bench/workload.ts: 2 Services per
// Ingress, one slice each). "full" is what cluster mode did for every slice change before
// operator/src/relevance: the state as ClusterSource.snapshot() sorts it, buildEnvoyConfig,
// publishConfig to the xDS server (both views, only changed resources re-encoded). "endpoint path"
// is what it does now: ChangeRouter.observe + flushEndpoints, which publishes the one
// ClusterLoadAssignment through XdsServer.updateResources. Also measured: a slice of a Service no
// Ingress uses (skipped), and a second slice added to a used Service then deleted (the endpoint
// path too: its assignment and the new origins of the assignment and its clusters). Each run
// changes a different slice's endpoint address.
//   npx tsx bench/endpoint-change.ts [--size 10000] [--runs 15]
// Prints medians (ms) and writes bench/results/endpoint-change.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { XdsServer } from '../xds-server/src/index.js';
import { silentLogger } from '../observability/src/index.js';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import { ChangeRouter } from '../operator/src/relevance/change-router.js';
import { publishConfig } from '../operator/src/serve/fleet-publication.js';
import type { ServedFleet } from '../operator/src/serve/fleet-publication.js';
import type { ObjectChange } from '../operator/src/sources/kubernetes/reflector.js';
import type { ClusterState, SupportedKind, V1EndpointSlice } from '../operator/src/store/cluster-state.js';
import { toTypedObject } from '../operator/src/store/typed-objects.js';
import { compareStrings } from '../operator/src/util/compare.js';
import { median, timeMs } from './measure.js';
import { generateWorkload } from './workload.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '10000' }, runs: { type: 'string', default: '15' } } });
const size = Number(values.size);
const runs = Number(values.runs);

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** What ClusterSource.snapshot() does on every reconcile: each kind's objects, sorted by key. */
function snapshot(state: ClusterState): ClusterState {
  const sorted = <T extends { metadata?: { namespace?: string; name?: string } }>(list: readonly T[]): T[] => [...list].sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
  return {
    ingresses: sorted(state.ingresses),
    ingressClasses: sorted(state.ingressClasses),
    services: sorted(state.services),
    endpointSlices: sorted(state.endpointSlices),
    secrets: sorted(state.secrets),
    ingressClassParameters: sorted(state.ingressClassParameters),
    clusterIngressClassParameters: sorted(state.clusterIngressClassParameters),
  };
}

/** Slice i with its first endpoint moved to another address; resourceVersion bumped. */
function changedSlice(slice: V1EndpointSlice, run: number): V1EndpointSlice {
  const raw = JSON.parse(JSON.stringify(slice)) as { metadata: { resourceVersion?: string }; endpoints: { addresses: string[] }[] };
  raw.metadata.resourceVersion = `v${run + 2}`;
  const first = raw.endpoints[0];
  if (first) first.addresses = [`10.250.${run}.${(run * 37) % 250}`];
  return toTypedObject<V1EndpointSlice>('EndpointSlice', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', ...raw });
}

const base = generateWorkload(size);
// Every object carries a resourceVersion, as one from the API server does.
for (const list of Object.values(base) as { metadata?: { resourceVersion?: string } }[][]) for (const o of list) o.metadata = { ...o.metadata, resourceVersion: 'v1' };
// A Service and slice no Ingress refers to (another team's workload, a headless StatefulSet, ...).
const unused = toTypedObject<V1EndpointSlice>('EndpointSlice', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'unused-x1', namespace: 'team-0', resourceVersion: 'v1', labels: { 'kubernetes.io/service-name': 'unused' } }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: ['10.251.0.1'] }] });
let state: ClusterState = { ...base, endpointSlices: [...base.endpointSlices, unused] };

const server = new XdsServer({ logger: silentLogger });
let served: ServedFleet[] = [];
const router = new ChangeRouter({ ownership: { controllerName: 'portico.dev/ingress-controller' }, publisher: server, rebuild: () => undefined, scheduleEndpoints: () => undefined });
const fullRebuild = (): void => {
  router.rebuilding();
  const config = buildEnvoyConfig(snapshot(state));
  const result = publishConfig(server, config, served);
  served = result.served;
  router.rebuilt(config, result.problems);
};
// The initial list, then the first full translation.
const initial: ObjectChange[] = [];
for (const [kind, list] of [['IngressClass', state.ingressClasses], ['ClusterIngressClassParameters', state.clusterIngressClassParameters], ['Ingress', state.ingresses], ['Service', state.services], ['EndpointSlice', state.endpointSlices]] as [SupportedKind, { metadata?: object }[]][]) {
  for (const current of list) initial.push({ kind, key: keyOf(current), current });
}
router.observe(initial);
fullRebuild();
fullRebuild(); // warm-up: JIT, proto loading

const full: number[] = [];
const endpointPath: number[] = [];
const skipped: number[] = [];
const sliceAdded: number[] = [];
const sliceDeleted: number[] = [];
/** observe + flush through the endpoint path, which must neither rebuild nor publish nothing. */
const throughEndpointPath = (change: ObjectChange, samples: number[]): void => {
  const rebuilds = router.counters.rebuilds;
  let published = 0;
  samples.push(timeMs(() => {
    router.observe([change]);
    published = router.flushEndpoints().updated;
  }));
  if (router.counters.rebuilds !== rebuilds || published !== 1) throw new Error(`${change.key}: the endpoint path published ${published} assignments (counters ${JSON.stringify(router.counters)})`);
};
const slices = [...state.endpointSlices];
for (let run = 0; run < runs; run++) {
  const index = (run * 7919) % (slices.length - 1);
  const previous = slices[index] as V1EndpointSlice;
  const current = changedSlice(previous, run);
  slices[index] = current;
  const change: ObjectChange = { kind: 'EndpointSlice', key: keyOf(current), previous, current };
  state = { ...state, endpointSlices: slices.slice() };
  // Before: the whole translation and publish for the one slice (the router's view follows the
  // change untimed, as the watch would keep it current).
  router.observe([change]);
  full.push(timeMs(fullRebuild));
  // After: the same change once more (back to the address before it, so it is a change again).
  const back: ObjectChange = { kind: 'EndpointSlice', key: change.key, previous: current, current: { ...previous, metadata: { ...previous.metadata, resourceVersion: `w${run}` } } };
  slices[index] = back.current as V1EndpointSlice;
  state = { ...state, endpointSlices: slices.slice() };
  let published = 0;
  endpointPath.push(timeMs(() => {
    router.observe([back]);
    published = router.flushEndpoints().updated;
  }));
  if (published !== 1) throw new Error(`the endpoint path published ${published} assignments, not 1 (counters ${JSON.stringify(router.counters)})`);
  // A second slice for the same Service (it scaled past one slice), then gone again.
  const labels = previous.metadata?.labels ?? {};
  const extra = toTypedObject<V1EndpointSlice>('EndpointSlice', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${previous.metadata?.name ?? ''}-extra`, namespace: previous.metadata?.namespace ?? '', resourceVersion: `x${run}`, labels }, addressType: 'IPv4', ports: [{ name: 'http', port: 8080 }], endpoints: [{ addresses: [`10.252.${run}.1`] }] });
  state = { ...state, endpointSlices: [...slices, extra] };
  throughEndpointPath({ kind: 'EndpointSlice', key: keyOf(extra), current: extra }, sliceAdded);
  state = { ...state, endpointSlices: slices.slice() };
  throughEndpointPath({ kind: 'EndpointSlice', key: keyOf(extra), previous: extra }, sliceDeleted);
  // A slice nobody's Ingress uses.
  const unusedNow = { ...unused, metadata: { ...unused.metadata, resourceVersion: `u${run}` } };
  skipped.push(timeMs(() => router.observe([{ kind: 'EndpointSlice', key: keyOf(unused), previous: unused, current: unusedNow }])));
}

const result = {
  ingresses: size,
  endpointSlices: slices.length,
  clusterLoadAssignments: server.fleets()[0]?.resources.clusterLoadAssignment ?? 0,
  fullRebuildMsMedian: Number(median(full).toFixed(2)),
  endpointPathMsMedian: Number(median(endpointPath).toFixed(2)),
  endpointPathMsMax: Number(Math.max(...endpointPath).toFixed(2)),
  unusedSliceMsMedian: Number(median(skipped).toFixed(3)),
  sliceAddedMsMedian: Number(median(sliceAdded).toFixed(2)),
  sliceDeletedMsMedian: Number(median(sliceDeleted).toFixed(2)),
  goalMs: 5,
  goalMet: median(endpointPath) <= 5,
};
// The machine's load while it ran (1, 5, 15 minutes), since a loaded machine moves these figures.
const loadAverage = os.loadavg().map((l) => Number(l.toFixed(2)));
console.log(JSON.stringify({ ...result, loadAverage }));
const output = { load: loadAverage, command: `npx tsx bench/endpoint-change.ts --size ${size} --runs ${runs}`, node: process.version, date: new Date().toISOString(), result };
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'endpoint-change.json'), `${JSON.stringify(output, null, 2)}\n`);
